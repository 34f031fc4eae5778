import * as A from "@automerge/automerge"
import {
  clientShardKey,
  isLeanDoc,
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
const stillHere = async (db: Db, collection: Collection, gone: Map<string, string>): Promise<string[]> =>
  (await selectRows(db, collection, [...gone.keys()]))
    .filter(r => rowDocKey(collection, r) === gone.get(String(r.id).toLowerCase()))
    .map(r => String(r.id))

/** The records of one document to write: the targets are looked up in `doc` (never a lean one: `contentsFor`). */
export interface DocRecords {
  docKey: string
  doc: AnyClinicDoc
  targets: Target[]
}

/** A record of the part (document) at index `part`. */
interface Keyed extends Target {
  part: number
}

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
  doc: AnyClinicDoc,
  targets: Target[],
): Promise<WriteResult> => (await writeDocsRecords(db, clinicId, [{ docKey, doc, targets }]))[0] ?? emptyWriteResult()

/**
 * writeRecords for several documents of one clinic at once: each collection's records of all of
 * them in the same statements (parents first, whichever document holds them), one result per
 * document, in the order given. A record in two of them is written as the later one holds it.
 */
export const writeDocsRecords = async (db: Db, clinicId: string, parts: DocRecords[]): Promise<WriteResult[]> => {
  const results: WriteResult[] = parts.map(p => ({ ...emptyWriteResult(), records: p.targets.length }))
  const at = (part: number): WriteResult => results[part] as WriteResult
  const docKeyOf = (part: number): string => parts[part]?.docKey ?? ""
  const wrote = (part: number, collection: Collection, n: number) => {
    const r = at(part)
    r.rows += n
    if (n > 0) r.byCollection[collection] = (r.byCollection[collection] ?? 0) + n
  }
  const valid = new Map<Collection, { part: number; record: RecordByCollection[Collection] }[]>()
  const deleted = new Map<Collection, Keyed[]>()
  /** written, or left the document */
  const done: Keyed[] = []
  /** rejected or waiting: no longer waiting / rejected from this document */
  const rejectedHere: Keyed[] = []
  const waitingHere: Keyed[] = []
  const desks = new Set<string>()

  const reject = async (
    part: number,
    collection: Collection,
    record: AnyValid,
    kind: "invalid" | "constraint",
    reason: string,
  ) => {
    at(part).rejected++
    rejectedHere.push({ part, collection, id: record.id })
    await upsertRejection(db, {
      clinic_id: clinicId,
      collection,
      record_id: record.id,
      doc_key: docKeyOf(part),
      kind,
      reason,
      record,
      record_updated_at: record.updatedAt,
    })
  }

  const wait = async (part: number, collection: Collection, record: AnyValid) => {
    const refs = referencesOf(collection, record)
    if (!refs) throw new Error(`a ${collection} record cannot wait for a reference`)
    at(part).waiting++
    waitingHere.push({ part, collection, id: record.id })
    await upsertWaiting(db, {
      clinic_id: clinicId,
      collection: collection as Referencing,
      record_id: record.id,
      doc_key: docKeyOf(part),
      client_id: refs.client_id,
      patient_id: refs.patient_id,
      record,
      record_updated_at: record.updatedAt,
    })
  }

  for (const [part, { doc, targets }] of parts.entries()) {
    // a lean root has no fields: every record would read as deleted
    if (A.isAutomerge(doc) && isLeanDoc(doc))
      throw new Error(`${docKeyOf(part)}: a lean document, read through contentsFor`)
    for (const t of targets) {
      const found = readRecord(doc, t.collection, t.id)
      if (!found) {
        deleted.set(t.collection, [...(deleted.get(t.collection) ?? []), { part, ...t }])
        done.push({ part, ...t })
        continue
      }
      const record = found.record
      const check = (validators[t.collection] as (r: unknown) => ReturnType<(typeof validators)["clients"]>)(record)
      if (!check.ok) {
        await reject(
          part,
          t.collection,
          record,
          "invalid",
          check.errors.map(e => `${e.field}: ${e.message}`).join("; "),
        )
      } else if (record.id !== t.id) {
        await reject(part, t.collection, record, "invalid", `id: ${record.id} is stored under ${t.id}`)
      } else {
        const list = valid.get(t.collection) ?? []
        list.push({ part, record })
        valid.set(t.collection, list)
      }
    }
  }

  for (const collection of ORDER) {
    const all = valid.get(collection) ?? []
    for (let i = 0; i < all.length; i += BATCH) {
      const chunk = all.slice(i, i + BATCH)
      // checked after the parent collections of these documents were written
      const missing = await missingReferences(
        db,
        chunk.flatMap(r => referencesOf(collection, r.record) ?? []),
      )
      const ready = chunk.filter(r => !missing.has(r.record.id))
      const waiting = chunk.filter(r => missing.has(r.record.id))
      const {
        records: writtenRows,
        lines,
        failed,
      } = await writeEach(
        db,
        clinicId,
        collection,
        ready.map(r => r.record),
      )
      /** the document each written row's record came from (ids as PostgreSQL returns them) */
      const partOf = new Map(ready.map(r => [r.record.id.toLowerCase(), r.part]))
      const partOfRow = (id: string): number => partOf.get(id.toLowerCase()) ?? 0
      for (const w of writtenRows) {
        const part = partOfRow(w.id)
        wrote(part, collection, 1)
        if (!NOT_DESKS.has(w.updated_by)) at(part).deskChangedAt.push(w.updated_at.getTime())
      }
      // invoice lines and payments: rows, not records
      for (const invoiceId of lines) at(partOfRow(invoiceId)).rows++
      for (const r of ready) {
        const e = failed.get(r.record.id)
        if (e === undefined) done.push({ part: r.part, collection, id: r.record.id })
        // a reference removed since the check (the web system deleted a row)
        else if (isMissingReference(e) && referencesOf(collection, r.record)) waiting.push(r)
        else await reject(r.part, collection, r.record, "constraint", pgReason(e))
      }
      const refused =
        waiting.length > 0
          ? await refusedOnTheirOwn(
              db,
              clinicId,
              collection,
              waiting.map(r => r.record),
            )
          : new Map<string, string>()
      for (const r of waiting) {
        const reason = refused.get(r.record.id)
        if (reason === undefined) await wait(r.part, collection, r.record)
        else await reject(r.part, collection, r.record, "constraint", reason)
      }
      for (const { record: r } of chunk) {
        if (!NOT_DESKS.has(r.createdBy)) desks.add(r.createdBy)
        if (!NOT_DESKS.has(r.updatedBy)) desks.add(r.updatedBy)
      }
    }
    const gone = deleted.get(collection) ?? []
    if (gone.length > 0) {
      const partOf = new Map(gone.map(g => [g.id.toLowerCase(), g.part]))
      const here = await stillHere(db, collection, new Map(gone.map(g => [g.id.toLowerCase(), docKeyOf(g.part)])))
      for (const id of await markDeleted(db, collection, here)) wrote(partOf.get(id.toLowerCase()) ?? 0, collection, 1)
    }
  }
  const partOfKey = new Map<string, number>()
  for (const k of [...done, ...waitingHere]) partOfKey.set(`${k.collection}/${k.id}`, k.part)
  for (const c of await clearRejections(
    db,
    clinicId,
    [...done, ...waitingHere].map(k => ({ collection: k.collection, id: k.id })),
  ))
    at(partOfKey.get(`${c.collection}/${c.id}`) ?? 0).cleared++
  await clearWaiting(
    db,
    clinicId,
    [...done, ...rejectedHere].map(k => ({ doc_key: docKeyOf(k.part), collection: k.collection, id: k.id })),
  )
  await recordDesks(db, clinicId, [...desks])
  return results
}
