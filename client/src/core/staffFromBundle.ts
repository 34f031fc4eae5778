import * as A from "@automerge/automerge"
import { hasAllHeads, staffOfDoc, type StaffDoc } from "@vetsync/shared"
import type { ReadModel } from "./readmodel/ReadModel.js"

/** The document's heads are exactly `heads`. */
const sameHeadsOf = (doc: A.Doc<unknown>, heads: string[]): boolean => {
  const have = A.getHeads(doc)
  return have.length === heads.length && heads.every(h => have.includes(h))
}

/**
 * The staff of a LAN peer's copy of the staff document (its bundle), into the read model only, and
 * only when it is the snapshot's (`heads`, the bootstrap's target for it) and the read model's own:
 * a desk takes the server-owned documents themselves from the relay alone.
 */
export const staffFromBundle = (rm: ReadModel, docId: string, bytes: Uint8Array, heads: string[] | undefined): void => {
  let doc: A.Doc<StaffDoc>
  try {
    doc = A.load<StaffDoc>(bytes)
  } catch {
    return
  }
  try {
    const recorded = rm.ledger.getDocHeads(docId)
    if (heads && recorded && hasAllHeads(doc, heads) && hasAllHeads(doc, recorded) && sameHeadsOf(doc, recorded))
      rm.setStaff(staffOfDoc(doc))
  } finally {
    A.free(doc)
  }
}
