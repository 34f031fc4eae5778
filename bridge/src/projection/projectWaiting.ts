import type * as A from "@automerge/automerge"
import type pg from "pg"
import { contentsFor, isDocKey, type AnyClinicDoc, type DocKey } from "@vetsync/shared"
import { inBridgeTransaction } from "../queries/Db.js"
import { constraintRejections } from "../queries/rejections.js"
import { readyWaiting, type Referencing } from "../queries/waitingRecords.js"
import { addWriteResult, emptyWriteResult, writeRecords, type Target, type WriteResult } from "./writeRecords.js"

/** Parents first: a patient that lands makes its appointments and invoices ready. */
const WAITERS: Referencing[] = ["patients", "appointments", "invoices"]

export interface ProjectWaitingOptions {
  /** the current version of one of the clinic's documents (it may be lean); undefined if it holds no records */
  docOf: (key: DocKey) => Promise<A.Doc<AnyClinicDoc> | undefined>
  /**
   * Also try again the records PostgreSQL refused by a constraint (an invoice number another
   * invoice held): other rows were written since.
   */
  retryConstraints: boolean
}

const byDoc = (rows: { doc_key: string; collection: Target["collection"]; record_id: string }[]) => {
  const out = new Map<string, Target[]>()
  for (const r of rows)
    out.set(r.doc_key, [...(out.get(r.doc_key) ?? []), { collection: r.collection, id: r.record_id }])
  return out
}

/**
 * Projects, in one transaction, the clinic's waiting records whose client and patient are
 * rows now, each read from its document's current version (the version that waited may
 * have been edited since). The document's heads do not move: projecting that document later
 * writes the same values again, which writes nothing.
 */
export const projectWaiting = (pool: pg.Pool, clinicId: string, o: ProjectWaitingOptions): Promise<WriteResult> =>
  inBridgeTransaction(pool, async db => {
    const total = emptyWriteResult()
    const write = async (groups: Map<string, Target[]>) => {
      for (const [key, targets] of groups) {
        const doc = isDocKey(key) ? await o.docOf(key) : undefined
        if (!doc) continue
        addWriteResult(total, await writeRecords(db, clinicId, key, contentsFor(doc, targets), targets))
      }
    }
    for (const collection of WAITERS) {
      const ready = await readyWaiting(db, clinicId, collection)
      await write(byDoc(ready.map(r => ({ ...r, collection }))))
    }
    if (o.retryConstraints) await write(byDoc(await constraintRejections(db, clinicId)))
    return total
  })
