import type { AnyRecord, Collection, Invoice } from "@vetsync/shared"
import { inSavepoint, inTrial, type Db } from "../queries/Db.js"
import { upsertInvoiceItems, upsertRows, type Row } from "../queries/records.js"
import { REFERENCE_CONSTRAINTS, type References } from "../queries/waitingRecords.js"
import { itemRowsOf, rowOf } from "./rows.js"

type AnyValid = AnyRecord["record"]

/** The deferred invoice-total checks (migration 0007), named so no other constraint changes mode. */
const INVOICE_TOTALS = "invoice_total_matches_lines, invoice_lines_match_total"

export const pgReason = (e: unknown): string => {
  const err = e as { message?: string; detail?: string }
  return `${err.message ?? String(e)}${err.detail ? ` (${err.detail})` : ""}`
}

/** Upserts validated records of one collection (and an invoice's lines). Returns rows written. */
export const writeBatch = async (db: Db, clinicId: string, collection: Collection, records: AnyValid[]) => {
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
    await db.query(`SET CONSTRAINTS ${INVOICE_TOTALS} IMMEDIATE`)
    await db.query(`SET CONSTRAINTS ${INVOICE_TOTALS} DEFERRED`)
  }
  return written
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

/** Writes a batch whole, else record by record; returns rows written and each refused record's error. */
export const writeEach = async (
  db: Db,
  clinicId: string,
  collection: Collection,
  records: AnyValid[],
): Promise<{ rows: number; failed: Map<string, unknown> }> => {
  const failed = new Map<string, unknown>()
  try {
    return { rows: await inSavepoint(db, () => writeBatch(db, clinicId, collection, records)), failed }
  } catch {
    let rows = 0
    for (const r of records) {
      try {
        rows += await inSavepoint(db, () => writeBatch(db, clinicId, collection, [r]))
      } catch (e) {
        failed.set(r.id, e)
      }
    }
    return { rows, failed }
  }
}
