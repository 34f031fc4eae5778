import * as A from "@automerge/automerge"
import type { DocHandle, Repo } from "@automerge/automerge-repo"
import { docIdFor, genesisBinary, type AnyClinicDoc, type DocKey } from "@vetsync/shared"

/**
 * A ready handle of document (clinic, key). Found in storage or from peers; when nobody
 * has it yet, it starts from the shared genesis change, which every desk creates
 * byte-identically, so the copies merge when they meet.
 */
export const openDoc = async <T extends AnyClinicDoc = AnyClinicDoc>(
  repo: Repo,
  clinicId: string,
  key: DocKey,
): Promise<DocHandle<T>> => {
  const id = docIdFor(clinicId, key)
  const handle = await repo.find<T>(id, { allowableStates: ["ready", "unavailable"] })
  if (!handle.isReady()) {
    const genesis = genesisBinary(clinicId, key)
    handle.update(doc => A.loadIncremental(doc, genesis))
    handle.doneLoading()
  }
  return handle
}
