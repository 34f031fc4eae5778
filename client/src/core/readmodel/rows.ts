import { isVatRate, type Appointment, type Client, type Invoice, type InvoiceLine, type Patient, type Payment, type PriceItem } from "@vetsync/shared"

/* The records of the read model's rows (the columns of schema.ts), for its query families. */

/** A row as better-sqlite3 returns it: column name to value. */
export type Row = Record<string, unknown>

/** A column's value as text ("" for NULL or a blob). */
export const s = (v: unknown): string =>
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
  payments: JSON.parse(s(r.payments) || "[]") as Payment[],
  ...voidedOf(s(r.voided)),
})

const voidedOf = (text: string): Pick<Invoice, "voidReason" | "voidedAt" | "voidedBy" | "voidedStaff"> => {
  const v = JSON.parse(text || "{}") as Partial<Record<"reason" | "at" | "by" | "staff", string>>
  return { voidReason: v.reason ?? "", voidedAt: v.at ?? "", voidedBy: v.by ?? "", voidedStaff: v.staff ?? "" }
}
export const priceOfRow = (r: Row): PriceItem => ({
  id: s(r.id),
  code: s(r.code),
  name: s(r.name),
  kind: s(r.kind) as PriceItem["kind"],
  price: Number(r.price),
  unit: s(r.unit),
  active: r.active === 1,
  updatedAt: s(r.updated_at),
  vat: isVatRate(r.vat) ? r.vat : "none",
})
