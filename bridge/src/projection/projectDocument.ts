import * as A from "@automerge/automerge"
import type pg from "pg"
import { COLLECTIONS_OF_KIND, changedRecordsBetween, sameHeads, type AnyClinicDoc, type DocKey } from "@vetsync/shared"
import { inBridgeTransaction } from "../queries/Db.js"
import { lockHeads, saveHeads } from "../queries/projectionState.js"
import { emptyWriteResult, writeRecords, type Target, type WriteResult } from "./writeRecords.js"

export interface ProjectionResult extends WriteResult {
  docKey: DocKey
  /** nothing new since the stored heads */
  upToDate: boolean
  /** every record was looked at (first projection, or the stored heads were unknown to the document) */
  full: boolean
}

export const allTargets = (doc: AnyClinicDoc): Target[] => {
  const out: Target[] = []
  for (const collection of COLLECTIONS_OF_KIND[doc.kind] ?? []) {
    const map = (doc as unknown as Record<string, Record<string, unknown> | undefined>)[collection]
    for (const id of Object.keys(map ?? {})) out.push({ collection, id })
  }
  return out
}

/**
 * Projects one document exactly once: in one transaction, locks the heads it was last
 * projected at, writes only the records changed between those heads and the document's
 * current heads, and stores the new heads with the rows. After a crash the stored heads
 * are those of the last committed projection; projecting again writes nothing.
 */
export const projectDocument = (
  pool: pg.Pool,
  p: { clinicId: string; docKey: DocKey; docId: string; doc: () => A.Doc<AnyClinicDoc> },
): Promise<ProjectionResult> =>
  inBridgeTransaction(pool, async db => {
    const stored = await lockHeads(db, p.docId)
    const doc = p.doc()
    const heads = A.getHeads(doc)
    const base = { ...emptyWriteResult(), docKey: p.docKey }
    if (stored && sameHeads(stored, heads)) return { ...base, upToDate: true, full: false }
    let targets: Target[] | undefined
    if (stored && stored.length > 0) {
      try {
        targets = changedRecordsBetween(doc, stored, heads)
      } catch {
        targets = undefined // stored heads unknown to this copy of the document: look at everything
      }
    }
    const full = targets === undefined
    const result = await writeRecords(db, p.clinicId, p.docKey, doc, targets ?? allTargets(doc))
    await saveHeads(db, { docId: p.docId, clinicId: p.clinicId, docKey: p.docKey, heads })
    return { ...result, docKey: p.docKey, upToDate: false, full }
  })
