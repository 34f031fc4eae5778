import type * as A from "@automerge/automerge"
import {
  clientShardKey,
  readRecord,
  validators,
  type AnyClinicDoc,
  type AnyRecord,
  type Collection,
  type Invoice,
  type RecordByCollection,
} from "@vetsync/shared"
import { inSavepoint, type Db } from "../queries/Db.js"
import { markDeleted, recordDesks, selectRows, upsertInvoiceItems, upsertRows, type Row } from "../queries/records.js"
import { clearRejections, upsertRejection } from "../queries/rejections.js"
import { itemRowsOf, rowOf } from "./rows.js"

export interface WriteResult {
  /** records looked at */
  records: number
  /** rows inserted, updated or deleted (records and invoice lines) */
  rows: number
  rejected: number
  cleared: number
}

export interface Target {
  collection: Collection
  id: string
}

/** Parents before children, so that a shard's patients find their clients. */
const ORDER: Collection[] = ["clients", "patients", "appointments", "invoices"]
const BATCH = 1000
/** Authors that are not desks. */
const NOT_DESKS = new Set(["web", "import", "server", "bridge", ""])

const pgReason = (e: unknown): string => {
  const err = e as { message?: string; detail?: string }
  return `${err.message ?? String(e)}${err.detail ? ` (${err.detail})` : ""}`
}

const writeBatch = async (db: Db, clinicId: string, collection: Collection, records: AnyRecord["record"][]) => {
  const rows: Row[] = records.map(r => (rowOf[collection] as (c: string, r: unknown) => Row)(clinicId, r))
  let written = await upsertRows(db, collection, rows)
  if (collection === "invoices") {
    const invoices = records as Invoice[]
    written += await upsertInvoiceItems(
      db,
      invoices.flatMap(itemRowsOf),
      invoices.map(i => ({ id: i.id, n: i.lines.length })),
    )
    // the deferred total checks run now, inside the caller's savepoint
    await db.query("SET CONSTRAINTS ALL IMMEDIATE")
    await db.query("SET CONSTRAINTS ALL DEFERRED")
  }
  return written
}

/**
 * The document a row's record is in, where the row says it: a client or patient is always in its
 * client's shard. An appointment or invoice stays in the month partition it was created in, which
 * its row cannot tell (the clinic's time zone may have changed since, or its start moved).
 */
const rowDocKey = (collection: Collection, row: Record<string, unknown>): string | undefined => {
  switch (collection) {
    case "clients":
      return clientShardKey(String(row.id))
    case "patients":
      return clientShardKey(String(row.client_id))
    case "appointments":
    case "invoices":
      return undefined
  }
}

/**
 * Records are deleted by their `deleted` flag. A key that disappears from a document (nothing
 * removes one any more: records no longer move between month partitions) marks a row deleted only
 * when the row certainly belongs to that document: a client or patient of that shard.
 */
const stillHere = async (db: Db, collection: Collection, ids: string[], docKey: string): Promise<string[]> =>
  (await selectRows(db, collection, ids)).filter(r => rowDocKey(collection, r) === docKey).map(r => String(r.id))

/**
 * Validates and writes the given records of one document, in the caller's transaction.
 * A record that fails the shared validators or a PostgreSQL constraint is not written:
 * it is kept in `rejections` with its reason. Records written successfully lose their
 * rejection. Batches are tried whole; a failing batch is retried record by record.
 */
export const writeRecords = async (
  db: Db,
  clinicId: string,
  docKey: string,
  doc: A.Doc<AnyClinicDoc>,
  targets: Target[],
): Promise<WriteResult> => {
  const result: WriteResult = { records: targets.length, rows: 0, rejected: 0, cleared: 0 }
  const valid = new Map<Collection, RecordByCollection[Collection][]>()
  const deleted = new Map<Collection, string[]>()
  const done: Target[] = []
  const desks = new Set<string>()

  const reject = async (
    collection: Collection,
    record: AnyRecord["record"],
    kind: "invalid" | "constraint",
    reason: string,
  ) => {
    result.rejected++
    await upsertRejection(db, {
      clinic_id: clinicId,
      collection,
      record_id: record.id,
      doc_key: docKey,
      kind,
      reason,
      record,
      record_updated_at: record.updatedAt,
    })
  }

  for (const t of targets) {
    const found = readRecord(doc, t.collection, t.id)
    if (!found) {
      deleted.set(t.collection, [...(deleted.get(t.collection) ?? []), t.id])
      done.push(t)
      continue
    }
    const record = found.record
    const check = (validators[t.collection] as (r: unknown) => ReturnType<(typeof validators)["clients"]>)(record)
    if (!check.ok) {
      await reject(t.collection, record, "invalid", check.errors.map(e => `${e.field}: ${e.message}`).join("; "))
    } else if (record.id !== t.id) {
      await reject(t.collection, record, "invalid", `id: ${record.id} is stored under ${t.id}`)
    } else {
      valid.set(t.collection, [...(valid.get(t.collection) ?? []), record])
    }
  }

  for (const collection of ORDER) {
    const records = valid.get(collection) ?? []
    for (let i = 0; i < records.length; i += BATCH) {
      const chunk = records.slice(i, i + BATCH)
      try {
        result.rows += await inSavepoint(db, () => writeBatch(db, clinicId, collection, chunk))
        chunk.forEach(r => done.push({ collection, id: r.id }))
      } catch {
        for (const r of chunk) {
          try {
            result.rows += await inSavepoint(db, () => writeBatch(db, clinicId, collection, [r]))
            done.push({ collection, id: r.id })
          } catch (e) {
            await reject(collection, r, "constraint", pgReason(e))
          }
        }
      }
      for (const r of chunk) {
        if (!NOT_DESKS.has(r.createdBy)) desks.add(r.createdBy)
        if (!NOT_DESKS.has(r.updatedBy)) desks.add(r.updatedBy)
      }
    }
    const gone = deleted.get(collection) ?? []
    if (gone.length > 0) result.rows += await markDeleted(db, collection, await stillHere(db, collection, gone, docKey))
  }
  result.cleared = await clearRejections(db, clinicId, done)
  await recordDesks(db, clinicId, [...desks])
  return result
}
