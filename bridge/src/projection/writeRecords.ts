import type * as A from "@automerge/automerge"
import {
  clientShardKey,
  readRecord,
  validators,
  type AnyClinicDoc,
  type AnyRecord,
  type Collection,
  type RecordByCollection,
} from "@vetsync/shared"
import type { Db } from "../queries/Db.js"
import { markDeleted, recordDesks, selectRows } from "../queries/records.js"
import { clearRejections, upsertRejection } from "../queries/rejections.js"
import {
  clearWaiting,
  isMissingReference,
  missingReferences,
  upsertWaiting,
  type Referencing,
} from "../queries/waitingRecords.js"
import { pgReason, referencesOf, refusedOnTheirOwn, writeEach } from "./writeBatch.js"

export interface WriteResult {
  /** records looked at */
  records: number
  /** rows inserted, updated or deleted (records and invoice lines) */
  rows: number
  /** records refused (shared validators, or a constraint on the record itself) */
  rejected: number
  /** rejections removed: the record was written, now waits, or left the document */
  cleared: number
  /** valid records that wait for a client or patient not in PostgreSQL yet */
  waiting: number
  /** rows of records written, by collection: inserted, updated or marked deleted */
  byCollection: Partial<Record<Collection, number>>
  /** when a desk last changed each record whose row was written (its updatedAt, epoch ms): where the projection lag starts */
  deskChangedAt: number[]
}

export const emptyWriteResult = (): WriteResult => ({
  records: 0,
  rows: 0,
  rejected: 0,
  cleared: 0,
  waiting: 0,
  byCollection: {},
  deskChangedAt: [],
})

/** Adds `r` into `total`. */
export const addWriteResult = (total: WriteResult, r: WriteResult): void => {
  total.records += r.records
  total.rows += r.rows
  total.rejected += r.rejected
  total.cleared += r.cleared
  total.waiting += r.waiting
  for (const [c, n] of Object.entries(r.byCollection) as [Collection, number][])
    total.byCollection[c] = (total.byCollection[c] ?? 0) + n
  total.deskChangedAt.push(...r.deskChangedAt)
}

export interface Target {
  collection: Collection
  id: string
}

type AnyValid = AnyRecord["record"]

/** Parents before children, so that a shard's patients find their clients. */
const ORDER: Collection[] = ["clients", "patients", "appointments", "invoices"]
const BATCH = 1000
/** Authors that are not desks. */
const NOT_DESKS = new Set(["web", "import", "server", "bridge", ""])

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
 * Each record ends in exactly one state:
 * - written (its rejection and waiting entry removed);
 * - rejected, kept in `rejections` with its reason: it fails the shared validators, or
 *   PostgreSQL refuses the record itself (e.g. a date that does not exist);
 * - waiting, kept in `waiting_records`: valid, but its client or patient is not a row yet.
 *   Whether it is valid is proven by a trial write with the reference checks deferred, so
 *   the order in which documents arrive never turns a valid record into a rejection.
 * Batches are tried whole; a failing batch is retried record by record.
 */
export const writeRecords = async (
  db: Db,
  clinicId: string,
  docKey: string,
  doc: A.Doc<AnyClinicDoc>,
  targets: Target[],
): Promise<WriteResult> => {
  const result: WriteResult = { ...emptyWriteResult(), records: targets.length }
  const wrote = (collection: Collection, n: number) => {
    if (n > 0) result.byCollection[collection] = (result.byCollection[collection] ?? 0) + n
  }
  const valid = new Map<Collection, RecordByCollection[Collection][]>()
  const deleted = new Map<Collection, string[]>()
  /** written, or left the document */
  const done: Target[] = []
  /** rejected or waiting: no longer waiting / rejected from this document */
  const rejectedHere: Target[] = []
  const waitingHere: Target[] = []
  const desks = new Set<string>()

  const reject = async (collection: Collection, record: AnyValid, kind: "invalid" | "constraint", reason: string) => {
    result.rejected++
    rejectedHere.push({ collection, id: record.id })
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

  const wait = async (collection: Collection, record: AnyValid) => {
    const refs = referencesOf(collection, record)
    if (!refs) throw new Error(`a ${collection} record cannot wait for a reference`)
    result.waiting++
    waitingHere.push({ collection, id: record.id })
    await upsertWaiting(db, {
      clinic_id: clinicId,
      collection: collection as Referencing,
      record_id: record.id,
      doc_key: docKey,
      client_id: refs.client_id,
      patient_id: refs.patient_id,
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
      // checked after the parent collections of this document were written
      const missing = await missingReferences(
        db,
        chunk.flatMap(r => referencesOf(collection, r) ?? []),
      )
      const ready = chunk.filter(r => !missing.has(r.id))
      const waiting = chunk.filter(r => missing.has(r.id))
      const { rows, records: writtenRows, failed } = await writeEach(db, clinicId, collection, ready)
      result.rows += rows
      wrote(collection, writtenRows.length)
      for (const w of writtenRows) if (!NOT_DESKS.has(w.updated_by)) result.deskChangedAt.push(w.updated_at.getTime())
      for (const r of ready) {
        const e = failed.get(r.id)
        if (e === undefined) done.push({ collection, id: r.id })
        // a reference removed since the check (the web system deleted a row)
        else if (isMissingReference(e) && referencesOf(collection, r)) waiting.push(r)
        else await reject(collection, r, "constraint", pgReason(e))
      }
      const refused =
        waiting.length > 0 ? await refusedOnTheirOwn(db, clinicId, collection, waiting) : new Map<string, string>()
      for (const r of waiting) {
        const reason = refused.get(r.id)
        if (reason === undefined) await wait(collection, r)
        else await reject(collection, r, "constraint", reason)
      }
      for (const r of chunk) {
        if (!NOT_DESKS.has(r.createdBy)) desks.add(r.createdBy)
        if (!NOT_DESKS.has(r.updatedBy)) desks.add(r.updatedBy)
      }
    }
    const gone = deleted.get(collection) ?? []
    if (gone.length > 0) {
      const n = await markDeleted(db, collection, await stillHere(db, collection, gone, docKey))
      result.rows += n
      wrote(collection, n)
    }
  }
  result.cleared = await clearRejections(db, clinicId, [...done, ...waitingHere])
  await clearWaiting(db, clinicId, docKey, [...done, ...rejectedHere])
  await recordDesks(db, clinicId, [...desks])
  return result
}
