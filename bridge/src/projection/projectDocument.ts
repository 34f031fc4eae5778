import * as A from "@automerge/automerge"
import type pg from "pg"
import {
  COLLECTIONS_OF_KIND,
  changedRecordsBetween,
  contentsFor,
  contentsOf,
  sameHeads,
  type AnyClinicDoc,
  type DocKey,
} from "@vetsync/shared"
import { inBridgeTransaction } from "../queries/Db.js"
import { lockHeadsOf, saveHeadsOf } from "../queries/projectionState.js"
import { emptyWriteResult, writeDocsRecords, type DocRecords, type Target, type WriteResult } from "./writeRecords.js"

export interface ProjectionResult extends WriteResult {
  docKey: DocKey
  /** nothing new since the stored heads */
  upToDate: boolean
  /** every record was looked at (first projection, or the stored heads were unknown to the document) */
  full: boolean
}

/**
 * A document to project: which it is, and its current version (read inside the transaction). The
 * version may be lean (`leanDoc`, as the bridge keeps record documents): its records are read from
 * wasm, those that changed alone (`contentsFor`), or all of them for a full projection.
 */
export interface DocToProject {
  clinicId: string
  docKey: DocKey
  docId: string
  doc: () => A.Doc<AnyClinicDoc>
}

/** What projectDocuments did: the documents projected, in order, and those left for a later call. */
export interface ProjectedBatch {
  projected: { doc: DocToProject; result: ProjectionResult }[]
  left: DocToProject[]
}

/** Records one transaction takes on, from several documents (the first document is taken whatever its size). */
export const MAX_BATCH_RECORDS = 2000

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
export const projectDocument = async (pool: pg.Pool, p: DocToProject): Promise<ProjectionResult> => {
  const { projected } = await projectDocuments(pool, [p])
  const one = projected[0]
  if (!one) throw new Error(`${p.docKey} was not projected`)
  return one.result
}

/**
 * projectDocument for several documents of one clinic in one transaction: their heads locked
 * together, each collection's changed records of all of them written in the same statements,
 * every document's new heads stored with the rows. Documents are taken in order until their
 * changed records pass `maxRecords` (the first always); the rest are returned, untouched.
 */
export const projectDocuments = (
  pool: pg.Pool,
  docs: DocToProject[],
  maxRecords = MAX_BATCH_RECORDS,
): Promise<ProjectedBatch> =>
  inBridgeTransaction(pool, async db => {
    const clinicId = docs[0]?.clinicId ?? ""
    if (docs.some(d => d.clinicId !== clinicId)) throw new Error("projectDocuments: documents of several clinics")
    const stored = await lockHeadsOf(
      db,
      docs.map(d => d.docId),
    )
    const upToDate: { doc: DocToProject; result: ProjectionResult }[] = []
    const changed: { doc: DocToProject; heads: A.Heads; full: boolean; part: DocRecords }[] = []
    const left: DocToProject[] = []
    let records = 0
    for (const d of docs) {
      if (changed.length > 0 && records >= maxRecords) {
        left.push(d)
        continue
      }
      const doc = d.doc()
      const heads = A.getHeads(doc)
      const before = stored.get(d.docId)
      if (before && sameHeads(before, heads)) {
        upToDate.push({ doc: d, result: { ...emptyWriteResult(), docKey: d.docKey, upToDate: true, full: false } })
        continue
      }
      let targets: Target[] | undefined
      if (before && before.length > 0) {
        try {
          targets = changedRecordsBetween(doc, before, heads)
        } catch {
          targets = undefined // stored heads unknown to this copy of the document: look at everything
        }
      }
      const full = targets === undefined
      const contents = targets === undefined ? contentsOf(doc) : contentsFor(doc, targets)
      const part = { docKey: d.docKey, doc: contents, targets: targets ?? allTargets(contents) }
      records += part.targets.length
      changed.push({ doc: d, heads, full, part })
    }
    const written = await writeDocsRecords(
      db,
      clinicId,
      changed.map(c => c.part),
    )
    await saveHeadsOf(
      db,
      changed.map(c => ({ docId: c.doc.docId, clinicId, docKey: c.doc.docKey, heads: c.heads })),
    )
    const projected = changed.map((c, i) => ({
      doc: c.doc,
      result: { ...(written[i] ?? emptyWriteResult()), docKey: c.doc.docKey, upToDate: false, full: c.full },
    }))
    return { projected: [...upToDate, ...projected], left }
  })
