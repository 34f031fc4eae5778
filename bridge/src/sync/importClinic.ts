import * as A from "@automerge/automerge"
import type { Repo } from "@automerge/automerge-repo"
import {
  clientShardKey,
  docIdFor,
  isLeanDoc,
  leanDoc,
  recordIdsOf,
  reserveWasmMemory,
  type AnyRecord,
  type ClientShardDoc,
  type DocKey,
} from "@vetsync/shared"
import type pg from "pg"
import { advanceHeads } from "../queries/projectionState.js"
import { markClinicConsumed, readClinicSnapshot } from "../queries/changeLog.js"
import { recordOfRow } from "../projection/rows.js"
import { openDoc } from "./openDoc.js"
import { putRecords } from "./putRecords.js"

export interface ImportResult {
  clients: number
  patients: number
  /** records that changed a document (0 when importing again) */
  written: number
  shards: number
  ms: number
  /** of which building the shards' changes */
  changeMs: number
}

/**
 * Loads an existing clinic's clients and patients from PostgreSQL rows into its 64 client
 * shard documents (the morning download): one change per shard. The rows are already
 * in PostgreSQL, so the shards' projection heads move past the import instead of
 * projecting it back, and the change-log entries the rows were registered with are
 * consumed. Importing again changes nothing.
 */
export const importClinic = async (pool: pg.Pool, repo: Repo, clinicId: string): Promise<ImportResult> => {
  const t0 = performance.now()
  const snap = await readClinicSnapshot(pool, clinicId)
  const byShard = new Map<DocKey, AnyRecord[]>()
  const add = (key: DocKey, r: AnyRecord) => {
    const list = byShard.get(key)
    if (list) list.push(r)
    else byShard.set(key, [r])
  }
  for (const row of snap.clients) {
    const record = recordOfRow.clients(row)
    add(clientShardKey(record.id), { collection: "clients", record })
  }
  for (const row of snap.patients) {
    const record = recordOfRow.patients(row)
    add(clientShardKey(record.clientId), { collection: "patients", record })
  }
  // growing the wasm heap in small steps with many live objects costs full GCs each time
  if (snap.clients.length + snap.patients.length > 20_000) reserveWasmMemory(256)
  let written = 0
  let changeMs = 0
  for (const [key, records] of byShard) {
    const handle = await openDoc<ClientShardDoc>(repo, clinicId, key)
    const before = handle.doc()
    const from = A.getHeads(before)
    // read from wasm when the shard is lean (the projector keeps record documents so); an id whose
    // value is not a record counts as one: fromIsEmpty false only asks more of advanceHeads
    const fromIsEmpty = recordIdsOf(before, "clients").length === 0 && recordIdsOf(before, "patients").length === 0
    let n = 0
    const t1 = performance.now()
    // built beside the handle, so its heads can be stored before the projector sees it
    const next = A.change(A.clone(before), { message: `import ${records.length} records` }, d => {
      n = putRecords(d, records)
    })
    changeMs += performance.now() - t1
    written += n
    if (n === 0) continue
    const to = A.getHeads(next)
    await advanceHeads(pool, { docId: docIdFor(clinicId, key), clinicId, docKey: key, from, to, fromIsEmpty })
    // A.clone of a lean document has an empty root, and so has a change of it but for what changed:
    // lean again, so that nothing reads that partial root as the shard's contents
    const after = isLeanDoc(before) ? leanDoc(next) : next
    handle.update(doc => (doc === before ? after : A.merge(doc, next)))
  }
  await markClinicConsumed(pool, clinicId, snap.lastChangeId)
  return {
    clients: snap.clients.length,
    patients: snap.patients.length,
    written,
    shards: byShard.size,
    ms: Math.round(performance.now() - t0),
    changeMs: Math.round(changeMs),
  }
}
