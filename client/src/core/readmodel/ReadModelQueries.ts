import type Database from "better-sqlite3"
import type { Appointment, Client, Collection, Invoice, InvoiceLine, Patient, PriceItem } from "@vetsync/shared"
import type { ClientSearchHit, ClientSearchResult, DuplicateCandidate } from "../api.js"
import { ClientSearch } from "./ClientSearch.js"
import { likelyDuplicates, type NewClientSketch } from "./duplicates.js"
import { fold } from "./searchText.js"

type Row = Record<string, unknown>
const s = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" ? String(v) : ""

const meta = (r: Row) => ({
  id: s(r.id),
  createdAt: s(r.created_at),
  updatedAt: s(r.updated_at),
  createdBy: s(r.created_by),
  updatedBy: s(r.updated_by),
  deleted: r.deleted === 1,
})

export const clientOfRow = (r: Row): Client => ({
  ...meta(r),
  name: s(r.name),
  phone: s(r.phone),
  email: s(r.email),
  address: s(r.address),
  notes: s(r.notes),
})
export const patientOfRow = (r: Row): Patient => ({
  ...meta(r),
  clientId: s(r.client_id),
  name: s(r.name),
  species: s(r.species),
  breed: s(r.breed),
  sex: s(r.sex) as Patient["sex"],
  birthDate: s(r.birth_date),
  chip: s(r.chip),
  notes: s(r.notes),
})
export const appointmentOfRow = (r: Row): Appointment => ({
  ...meta(r),
  clientId: s(r.client_id),
  patientId: s(r.patient_id),
  vet: s(r.vet),
  start: s(r.start),
  end: s(r.end),
  reason: s(r.reason),
  status: s(r.status) as Appointment["status"],
})
export const invoiceOfRow = (r: Row): Invoice => ({
  ...meta(r),
  number: s(r.number),
  clientId: s(r.client_id),
  patientId: s(r.patient_id),
  vet: s(r.vet),
  issuedAt: s(r.issued_at),
  status: s(r.status) as Invoice["status"],
  paidAt: s(r.paid_at),
  total: Number(r.total),
  lines: JSON.parse(s(r.lines) || "[]") as InvoiceLine[],
})
const priceOfRow = (r: Row): PriceItem => ({
  id: s(r.id),
  code: s(r.code),
  name: s(r.name),
  kind: s(r.kind) as PriceItem["kind"],
  price: Number(r.price),
  unit: s(r.unit),
  active: r.active === 1,
  updatedAt: s(r.updated_at),
})

/** Read-only queries over the read model. */
export class ReadModelQueries {
  protected readonly db: Database.Database
  #search: ClientSearch | undefined

  constructor(db: Database.Database) {
    this.db = db
  }

  /** A page of clients for what staff typed, best first, and how many match in all (ClientSearch). */
  findClients(query: string, limit = 30): ClientSearchResult {
    return (this.#search ??= new ClientSearch(this.db)).find(query, limit)
  }
  /** The page of findClients alone. */
  searchClients(query: string, limit = 30): ClientSearchHit[] {
    return this.findClients(query, limit).hits
  }
  /** Existing clients a new one probably is: same phone, or same name and pet name. */
  likelyDuplicates(sketch: NewClientSketch): DuplicateCandidate[] {
    return likelyDuplicates(this.db, sketch)
  }

  getClient(id: string): Client | undefined {
    const r = this.db.prepare("SELECT * FROM clients WHERE id = ?").get(id) as Row | undefined
    return r ? clientOfRow(r) : undefined
  }
  patientsOf(clientId: string): Patient[] {
    return (
      this.db.prepare("SELECT * FROM patients WHERE client_id = ? AND deleted = 0 ORDER BY name").all(clientId) as Row[]
    ).map(patientOfRow)
  }
  getPatient(id: string): Patient | undefined {
    const r = this.db.prepare("SELECT * FROM patients WHERE id = ?").get(id) as Row | undefined
    return r ? patientOfRow(r) : undefined
  }
  getAppointment(id: string): Appointment | undefined {
    const r = this.db.prepare("SELECT * FROM appointments WHERE id = ?").get(id) as Row | undefined
    return r ? appointmentOfRow(r) : undefined
  }
  /** live appointments starting in [from, to) */
  appointmentsBetween(from: string, to: string): Appointment[] {
    return (
      this.db
        .prepare("SELECT * FROM appointments WHERE start >= ? AND start < ? AND deleted = 0 ORDER BY start, vet")
        .all(from, to) as Row[]
    ).map(appointmentOfRow)
  }
  vets(): string[] {
    return (this.db.prepare("SELECT DISTINCT vet FROM appointments WHERE deleted = 0 ORDER BY vet").all() as Row[]).map(
      r => s(r.vet),
    )
  }
  getInvoice(id: string): Invoice | undefined {
    const r = this.db.prepare("SELECT * FROM invoices WHERE id = ?").get(id) as Row | undefined
    return r ? invoiceOfRow(r) : undefined
  }
  /** The document an appointment or invoice was read from: where its changes go ("" or undefined: unknown). */
  docKeyOf(collection: "appointments" | "invoices", id: string): string | undefined {
    const r = this.db.prepare(`SELECT doc_key FROM ${collection} WHERE id = ?`).get(id) as Row | undefined
    return r ? s(r.doc_key) : undefined
  }
  /** invoices issued in [from, to) (ISO instants), of a client, newest first */
  invoices(opts: { from?: string; to?: string; clientId?: string; limit: number }): Invoice[] {
    const where = ["deleted = 0"]
    const args: unknown[] = []
    if (opts.from !== undefined && opts.to !== undefined) {
      where.push("issued_at >= ? AND issued_at < ?")
      args.push(opts.from, opts.to)
    }
    if (opts.clientId) {
      where.push("client_id = ?")
      args.push(opts.clientId)
    }
    return (
      this.db
        .prepare(`SELECT * FROM invoices WHERE ${where.join(" AND ")} ORDER BY issued_at DESC LIMIT ?`)
        .all(...args, opts.limit) as Row[]
    ).map(invoiceOfRow)
  }
  searchPriceItems(query: string, limit = 30): PriceItem[] {
    const words = fold(query.trim()).split(/\s+/).filter(Boolean)
    const where = ["active = 1", ...words.map(() => "name_lc LIKE ?")]
    return (
      this.db
        .prepare(`SELECT * FROM price_items WHERE ${where.join(" AND ")} ORDER BY name LIMIT ?`)
        .all(...words.map(w => `%${w}%`), limit) as Row[]
    ).map(priceOfRow)
  }
  getPriceItem(id: string): PriceItem | undefined {
    const r = this.db.prepare("SELECT * FROM price_items WHERE id = ?").get(id) as Row | undefined
    return r ? priceOfRow(r) : undefined
  }
  conflicts(): { collection: Collection; id: string; field: string; kept: string; others: string[] }[] {
    return (this.db.prepare("SELECT * FROM conflicts ORDER BY collection, id, field").all() as Row[]).map(r => ({
      collection: s(r.collection) as Collection,
      id: s(r.id),
      field: s(r.field),
      kept: s(r.kept),
      others: JSON.parse(s(r.others)) as string[],
    }))
  }
  rejections(): { key: string; reason: string; at: string; recordUpdatedAt: string }[] {
    return (this.db.prepare("SELECT * FROM rejections ORDER BY at DESC").all() as Row[]).map(r => ({
      key: s(r.key),
      reason: s(r.reason),
      at: s(r.at),
      recordUpdatedAt: s(r.record_updated_at),
    }))
  }
  /** updatedAt of a record in the read model, if it has it */
  updatedAtOf(collection: Collection, id: string): string | undefined {
    const r = this.db.prepare(`SELECT updated_at FROM ${collection} WHERE id = ?`).get(id) as Row | undefined
    return r ? s(r.updated_at) : undefined
  }
  counts(): Record<Collection, number> {
    const n = (t: string): number => Number((this.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as Row).n)
    return { clients: n("clients"), patients: n("patients"), appointments: n("appointments"), invoices: n("invoices") }
  }
}
