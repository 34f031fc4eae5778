import type { Collection } from "@vetsync/shared"
import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

/** Columns each projected table is written with (row_version is kept by a trigger). */
export const COLUMNS = {
  clients: ["id", "clinic_id", "name", "phone", "email", "address", "notes"],
  patients: ["id", "clinic_id", "client_id", "name", "species", "breed", "sex", "birth_date", "chip", "notes"],
  appointments: ["id", "clinic_id", "client_id", "patient_id", "vet", "starts_at", "ends_at", "reason", "status"],
  invoices: [
    "id",
    "clinic_id",
    "number",
    "client_id",
    "patient_id",
    "vet",
    "issued_at",
    "status",
    "paid_at",
    "total_kopecks",
    "state",
    "void_reason",
    "voided_at",
    "voided_by",
    "voided_staff",
  ],
} as const satisfies Record<Collection, readonly string[]>

const META = ["created_at", "updated_at", "deleted_at", "created_by", "updated_by"] as const
const ITEM_COLUMNS = [
  "invoice_id",
  "line_no",
  "line_id",
  "item_id",
  "code",
  "name",
  "kind",
  "price_kopecks",
  "qty_milli",
  "total_kopecks",
] as const

export type Row = Record<string, string | number | boolean | null>
/** an invoice_payments row: a Row whose `lines` is JSON (jsonb) */
export type PaymentRow = Record<string, string | number | boolean | null | readonly object[]>

/**
 * An upsert that writes nothing when the row already holds these values. For tables the
 * web system also writes (`webOwned`), a document version older than the row is not
 * written while the row's own change is still pending in change_log: the consumer is
 * about to bring that newer version into the document.
 */
const upsertSql = (
  table: string,
  cols: readonly string[],
  key: readonly string[],
  o: { webOwned?: boolean; returning?: string } = {},
): string => {
  const set = cols.filter(c => !key.includes(c))
  const list = cols.join(", ")
  const notStale = o.webOwned
    ? `AND (EXCLUDED.updated_at >= t.updated_at OR NOT EXISTS
         (SELECT 1 FROM change_log l WHERE l.entity_id = t.id AND l.consumed_at IS NULL))`
    : ""
  return `INSERT INTO ${table} AS t (${list})
    SELECT ${list} FROM json_populate_recordset(null::${table}, $1::json)
    ON CONFLICT (${key.join(", ")}) DO UPDATE SET ${set.map(c => `${c} = EXCLUDED.${c}`).join(", ")}
    WHERE (${set.map(c => `t.${c}`).join(", ")}) IS DISTINCT FROM (${set.map(c => `EXCLUDED.${c}`).join(", ")})
    ${notStale}
    RETURNING ${o.returning ?? "1"}`
}

/** what a written row tells about its record: which it is, when and by whom it was last changed */
const RETURNING = "t.id::text AS id, t.updated_at, t.updated_by"
const SQL: Record<Collection, string> = {
  clients: upsertSql("clients", [...COLUMNS.clients, ...META], ["id"], { webOwned: true, returning: RETURNING }),
  patients: upsertSql("patients", [...COLUMNS.patients, ...META], ["id"], { webOwned: true, returning: RETURNING }),
  appointments: upsertSql("appointments", [...COLUMNS.appointments, ...META], ["id"], {
    webOwned: true,
    returning: RETURNING,
  }),
  invoices: upsertSql("invoices", [...COLUMNS.invoices, ...META], ["id"], { returning: RETURNING }),
}
/** what a written invoice line or payment row tells: its invoice (rows are counted per document) */
const INVOICE_OF = "t.invoice_id::text AS invoice_id"
interface InvoiceOf {
  invoice_id: string
}
const invoicesOf = (res: { rows: InvoiceOf[] }): string[] => res.rows.map(r => r.invoice_id)
const ITEMS_SQL = upsertSql("invoice_items", ITEM_COLUMNS, ["invoice_id", "line_no"], { returning: INVOICE_OF })
const PAYMENT_COLUMNS = [
  "id",
  "invoice_id",
  "clinic_id",
  "kind",
  "method",
  "amount_kopecks",
  "tendered_kopecks",
  "change_kopecks",
  "lines",
  "reason",
  "at",
  "desk_id",
  "staff_id",
  "fiscal_state",
  "fiscal_number",
  "fiscal_sign",
] as const
const PAYMENTS_SQL = upsertSql("invoice_payments", PAYMENT_COLUMNS, ["id"], { returning: INVOICE_OF })

/**
 * Writes invoices' payments and refunds, and removes rows of those invoices that their documents
 * no longer hold (no desk removes one; a payment is never edited away). Returns the invoice of
 * each row written (inserted, updated or removed).
 */
export const upsertPayments = async (db: Db, payments: PaymentRow[], invoiceIds: string[]): Promise<string[]> => {
  const written: string[] = []
  if (payments.length > 0)
    written.push(...invoicesOf(await db.query<InvoiceOf>(PAYMENTS_SQL, [JSON.stringify(payments)])))
  if (invoiceIds.length > 0) {
    const res = await db.query<InvoiceOf>(
      `DELETE FROM invoice_payments WHERE invoice_id = ANY($1::uuid[]) AND NOT (id = ANY($2::uuid[]))
       RETURNING invoice_id::text AS invoice_id`,
      [invoiceIds, payments.map(p => p.id)],
    )
    written.push(...invoicesOf(res))
  }
  return written
}

/** A row an upsert wrote: its record's id, when it was last changed, and by whom (a desk's id, web, import ...). */
export interface WrittenRow {
  id: string
  updated_at: Date
  updated_by: string
}

/** Inserts or updates rows; a row equal to the stored one is not written. Returns the rows written. */
export const upsertRows = async (db: Db, collection: Collection, rows: Row[]): Promise<WrittenRow[]> => {
  if (rows.length === 0) return []
  return (await db.query<WrittenRow>(SQL[collection], [JSON.stringify(rows)])).rows
}

/** Writes invoice lines and removes lines beyond each invoice's current count. Returns the invoice of each row written. */
export const upsertInvoiceItems = async (
  db: Db,
  items: Row[],
  lineCounts: { id: string; n: number }[],
): Promise<string[]> => {
  const written: string[] = []
  if (items.length > 0) written.push(...invoicesOf(await db.query<InvoiceOf>(ITEMS_SQL, [JSON.stringify(items)])))
  if (lineCounts.length > 0) {
    const res = await db.query<InvoiceOf>(
      `DELETE FROM invoice_items it USING json_to_recordset($1::json) AS x(id uuid, n int)
       WHERE it.invoice_id = x.id AND it.line_no >= x.n
       RETURNING it.invoice_id::text AS invoice_id`,
      [JSON.stringify(lineCounts)],
    )
    written.push(...invoicesOf(res))
  }
  return written
}

/** Records removed from their document: the rows are kept, marked deleted. Returns the ids marked. */
export const markDeleted = async (db: Db, collection: Collection, ids: string[]): Promise<string[]> => {
  if (ids.length === 0) return []
  const res = await db.query<{ id: string }>(
    `UPDATE ${collection} SET deleted_at = now() WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL
     RETURNING id::text AS id`,
    [ids],
  )
  return res.rows.map(r => r.id)
}

/** Rows by id, as stored (timestamps as Date). */
export const selectRows = async (db: Db, collection: Collection, ids: string[]): Promise<Record<string, unknown>[]> =>
  (await db.query<Record<string, unknown>>(`SELECT * FROM ${collection} WHERE id = ANY($1::uuid[])`, [ids])).rows

/** Desks seen as authors of projected records (first sighting only). */
export const recordDesks = async (db: Db, clinicId: string, deskIds: string[]): Promise<void> => {
  if (deskIds.length === 0) return
  await db.query(`INSERT INTO desks (id, clinic_id) SELECT unnest($1::text[]), $2 ON CONFLICT (id) DO NOTHING`, [
    deskIds,
    clinicId,
  ])
}
