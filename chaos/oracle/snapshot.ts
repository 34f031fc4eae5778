import { join } from "node:path"
import Database from "better-sqlite3"
import type pg from "pg"
import type { AppointmentView, ClientCard, ConflictView, DeskStatus, InvoiceView } from "@vetsync/client"
import type { Collection } from "@vetsync/shared"
import type { DeskNode } from "../Cluster.js"
import type { DeskAnswer } from "../DeskClient.js"
import { FIELDS, META_FIELDS } from "../fields.js"

/** A record's compared fields (FIELDS + META_FIELDS), values normalised as the desks answer them. */
export type Values = Record<string, unknown>

/** What one source (a desk or PostgreSQL) holds: key "collection/id" -> values. */
export interface SourceState {
  name: string
  records: Map<string, Values>
  /** reads that failed while collecting (the key, the answer) */
  errors: string[]
}

export interface DeskState extends SourceState {
  status: DeskStatus | undefined
  conflicts: ConflictView[]
}

export interface PgState extends SourceState {
  /** "collection/id" -> why the bridge refused it */
  rejections: Map<string, string>
}

/** What to look for on the desks (the ids the ledger and PostgreSQL know). */
export interface Wanted {
  clients: Set<string>
  /** patient id -> its client id */
  patients: Map<string, string>
  /** appointment id -> its start (the day to list) */
  appointments: Map<string, string>
  invoices: Set<string>
}

const LINE_KEYS = ["id", "itemId", "code", "name", "kind", "price", "qtyMilli", "total"] as const

/** Invoice lines in one shape and key order, whoever produced them. */
export const normalLines = (lines: unknown): unknown[] =>
  (Array.isArray(lines) ? (lines as Record<string, unknown>[]) : []).map(l => Object.fromEntries(LINE_KEYS.map(k => [k, l[k]])))

const pick = (collection: Collection, r: Record<string, unknown>): Values => {
  const out: Values = {}
  for (const f of [...FIELDS[collection], ...META_FIELDS]) out[f] = f === "lines" ? normalLines(r[f]) : r[f]
  return out
}

/** Reads every wanted record from one desk through its API. */
export const deskState = async (
  d: DeskNode,
  wanted: Wanted,
  record: (command: string, a: DeskAnswer<unknown>) => void,
): Promise<DeskState> => {
  const s: DeskState = { name: d.name, records: new Map(), errors: [], status: undefined, conflicts: [] }
  const call = async <T>(command: string, args: unknown, what: string): Promise<T | undefined> => {
    const a = await d.client.call(command as "status", args as undefined)
    record(command, a)
    if (a.kind === "ok") return a.value as T
    s.errors.push(`${what}: ${a.kind === "error" ? `${a.code} ${a.message}` : `${a.kind} ${a.message}`}`)
    return undefined
  }
  s.status = await call<DeskStatus>("status", {}, "status")
  s.conflicts = (await call<ConflictView[]>("conflicts.list", {}, "conflicts.list")) ?? []
  const clientIds = new Set([...wanted.clients, ...wanted.patients.values()])
  await inBatches([...clientIds], async id => {
    const card = await call<ClientCard | null>("clients.get", { id }, `clients/${id}`)
    if (!card) return
    s.records.set(`clients/${id}`, pick("clients", card.client as unknown as Record<string, unknown>))
    for (const p of card.patients) s.records.set(`patients/${p.id}`, pick("patients", p as unknown as Record<string, unknown>))
  })
  const days = new Set([...wanted.appointments.values()].map(start => start.slice(0, 10)))
  await inBatches([...days], async date => {
    const list = (await call<AppointmentView[]>("appointments.day", { date }, `appointments.day ${date}`)) ?? []
    for (const a of list) s.records.set(`appointments/${a.id}`, pick("appointments", a as unknown as Record<string, unknown>))
  })
  await inBatches([...wanted.invoices], async id => {
    const inv = await call<InvoiceView | null>("invoices.get", { id }, `invoices/${id}`)
    if (inv) s.records.set(`invoices/${id}`, pick("invoices", inv as unknown as Record<string, unknown>))
  })
  return s
}

/** Runs `fn` over `items`, a few at a time (a long run's desks hold thousands of records). */
const inBatches = async <T>(items: readonly T[], fn: (item: T) => Promise<void>, size = 8): Promise<void> => {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}

const ts = (col: string, as: string): string => `coalesce(to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '') AS "${as}"`
const META_SQL = `${ts("created_at", "createdAt")}, ${ts("updated_at", "updatedAt")}, created_by AS "createdBy", updated_by AS "updatedBy", deleted_at IS NOT NULL AS deleted`
const SQL: Record<Collection, string> = {
  clients: `SELECT id::text AS id, name, phone, email, address, notes, ${META_SQL} FROM clients WHERE clinic_id = $1`,
  patients: `SELECT id::text AS id, client_id::text AS "clientId", name, species, breed, sex, coalesce(birth_date::text, '') AS "birthDate",
    chip, notes, ${META_SQL} FROM patients WHERE clinic_id = $1`,
  appointments: `SELECT id::text AS id, client_id::text AS "clientId", patient_id::text AS "patientId", vet, ${ts("starts_at", "start")},
    ${ts("ends_at", "end")}, reason, status, ${META_SQL} FROM appointments WHERE clinic_id = $1`,
  invoices: `SELECT i.id::text AS id, number, client_id::text AS "clientId", coalesce(patient_id::text, '') AS "patientId", vet,
    ${ts("issued_at", "issuedAt")}, status, ${ts("paid_at", "paidAt")}, total_kopecks::text AS total, ${META_SQL},
    coalesce((SELECT json_agg(json_build_object('id', line_id, 'itemId', item_id, 'code', code, 'name', name, 'kind', kind,
      'price', price_kopecks, 'qtyMilli', qty_milli, 'total', total_kopecks) ORDER BY line_no)
      FROM invoice_items it WHERE it.invoice_id = i.id), '[]'::json) AS lines
    FROM invoices i WHERE clinic_id = $1`,
}

/** Everything of the clinic in PostgreSQL, and the bridge's rejections. */
export const pgState = async (pool: pg.Pool, clinicId: string): Promise<PgState> => {
  const s: PgState = { name: "postgres", records: new Map(), errors: [], rejections: new Map() }
  for (const collection of Object.keys(SQL) as Collection[]) {
    const { rows } = await pool.query<Record<string, unknown>>(SQL[collection], [clinicId])
    for (const r of rows) {
      if (collection === "invoices") r.total = Number(r.total)
      s.records.set(`${collection}/${String(r.id)}`, pick(collection, r))
    }
  }
  const rej = await pool.query<{ collection: string; record_id: string; kind: string; reason: string }>(
    "SELECT collection, record_id, kind, reason FROM rejections WHERE clinic_id = $1",
    [clinicId],
  )
  for (const r of rej.rows) s.rejections.set(`${r.collection}/${r.record_id}`, `${r.kind}: ${r.reason}`)
  return s
}

/**
 * Adds every record a desk's read model holds (readmodel.sqlite, read-only) to `wanted`: records
 * no acknowledgement and no PostgreSQL row names (an unanswered create, a phantom) are compared too.
 * The values are still read through the desk's API.
 */
export const addReadModelIds = (dataDir: string, wanted: Wanted): void => {
  const db = new Database(join(dataDir, "readmodel.sqlite"), { readonly: true, fileMustExist: true })
  try {
    for (const r of db.prepare("SELECT id FROM clients").all() as { id: string }[]) wanted.clients.add(r.id)
    for (const r of db.prepare("SELECT id, client_id FROM patients").all() as { id: string; client_id: string }[]) wanted.patients.set(r.id, r.client_id)
    for (const r of db.prepare("SELECT id, start FROM appointments").all() as { id: string; start: string }[]) wanted.appointments.set(r.id, r.start)
    for (const r of db.prepare("SELECT id FROM invoices").all() as { id: string }[]) wanted.invoices.add(r.id)
  } finally {
    db.close()
  }
}
