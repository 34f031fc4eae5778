import type { AnyRecord, Collection, Invoice } from "@vetsync/shared"
import { inSavepoint, inTrial, type Db } from "../queries/Db.js"
import { upsertInvoiceItems, upsertPayments, upsertRows, type Row, type WrittenRow } from "../queries/records.js"
import { REFERENCE_CONSTRAINTS, type References } from "../queries/waitingRecords.js"
import { itemRowsOf, paymentRowsOf, rowOf } from "./rows.js"

type AnyValid = AnyRecord["record"]

/** The deferred invoice-total checks (migration 0007), named so no other constraint changes mode. */
const INVOICE_TOTALS = "invoice_total_matches_lines, invoice_lines_match_total"

export const pgReason = (e: unknown): string => {
  const err = e as { message?: string; detail?: string }
  return `${err.message ?? String(e)}${err.detail ? ` (${err.detail})` : ""}`
}

/**
 * What a batch wrote: the records' rows, and the invoice of each invoice line or payment row written
 * (so that rows can be counted per document when records of several documents are written at once).
 */
export interface BatchWritten {
  records: WrittenRow[]
  lines: string[]
}

export const rowsWritten = (w: BatchWritten): number => w.records.length + w.lines.length

/** Upserts validated records of one collection (and an invoice's lines). */
export const writeBatch = async (
  db: Db,
  clinicId: string,
  collection: Collection,
  records: AnyValid[],
): Promise<BatchWritten> => {
  const rows: Row[] = records.map(r => (rowOf[collection] as (c: string, r: unknown) => Row)(clinicId, r))
  const written = await upsertRows(db, collection, rows)
  const lines: string[] = []
  if (collection === "invoices") {
    const invoices = records as Invoice[]
    lines.push(
      ...(await upsertInvoiceItems(
        db,
        invoices.flatMap(itemRowsOf),
        invoices.map(i => ({ id: i.id, n: i.lines.length })),
      )),
    )
    lines.push(
      ...(await upsertPayments(
        db,
        invoices.flatMap(i => paymentRowsOf(clinicId, i)),
        invoices.map(i => i.id),
      )),
    )
    // the deferred total checks run now, inside the caller's savepoint
    await db.query(`SET CONSTRAINTS ${INVOICE_TOTALS} IMMEDIATE`)
    await db.query(`SET CONSTRAINTS ${INVOICE_TOTALS} DEFERRED`)
  }
  return { records: written, lines }
}

/** The rows a record references; undefined for a client, which references none. */
export const referencesOf = (collection: Collection, r: AnyValid): References | undefined => {
  const x = r as Partial<Record<"clientId" | "patientId", string>>
  if (collection === "clients" || x.clientId === undefined) return undefined
  return { id: r.id, client_id: x.clientId, patient_id: collection === "patients" ? null : x.patientId || null }
}

/**
 * Writes records whose client or patient is missing with the reference checks deferred, and
 * undoes it: what PostgreSQL refuses then is wrong with the record itself. Returns the reason
 * of each record refused; the others are valid and only wait for what they reference.
 */
export const refusedOnTheirOwn = async (
  db: Db,
  clinicId: string,
  collection: Collection,
  records: AnyValid[],
): Promise<Map<string, string>> => {
  const refused = new Map<string, string>()
  const attempt = (some: AnyValid[]) =>
    inTrial(db, async () => {
      await db.query(`SET CONSTRAINTS ${REFERENCE_CONSTRAINTS} DEFERRED`)
      await writeBatch(db, clinicId, collection, some)
    })
  try {
    await attempt(records)
  } catch {
    for (const r of records) await attempt([r]).catch((e: unknown) => refused.set(r.id, pgReason(e)))
  }
  return refused
}

/** Writes a batch whole, else record by record; returns what was written and each refused record's error. */
export const writeEach = async (
  db: Db,
  clinicId: string,
  collection: Collection,
  records: AnyValid[],
): Promise<BatchWritten & { failed: Map<string, unknown> }> => {
  const failed = new Map<string, unknown>()
  try {
    return { ...(await inSavepoint(db, () => writeBatch(db, clinicId, collection, records))), failed }
  } catch {
    const out: BatchWritten = { records: [], lines: [] }
    for (const r of records) {
      try {
        const one = await inSavepoint(db, () => writeBatch(db, clinicId, collection, [r]))
        out.records.push(...one.records)
        out.lines.push(...one.lines)
      } catch (e) {
        failed.set(r.id, e)
      }
    }
    return { ...out, failed }
  }
}
