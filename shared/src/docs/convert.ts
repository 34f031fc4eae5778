import * as A from "@automerge/automerge"
import type {
  Appointment,
  Client,
  Collection,
  Invoice,
  InvoiceLine,
  Patient,
  PriceItem,
  RecordByCollection,
  RecordMeta,
} from "../schema/records.js"
import { isVatRate, type VatRate } from "../schema/vat.js"
import type {
  AppointmentDoc,
  ClientDoc,
  InvoiceDoc,
  InvoiceLineDoc,
  MetaDoc,
  PatientDoc,
  PaymentDoc,
  PriceItemDoc,
} from "./types.js"
import type { Payment, PaymentMethod } from "../schema/payments.js"

/** Reads an ImmutableString, a string or a missing value as a plain string. */
export const str = (v: unknown): string => {
  if (typeof v === "string") return v
  if (v instanceof A.ImmutableString) return v.val
  if (v !== null && typeof v === "object" && "val" in v && typeof v.val === "string") return (v as { val: string }).val
  return typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? String(v) : ""
}
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0))
export const imm = (s: string): A.ImmutableString => new A.ImmutableString(s)

const metaFrom = (d: MetaDoc): RecordMeta => ({
  id: str(d.id),
  createdAt: str(d.createdAt),
  updatedAt: str(d.updatedAt),
  createdBy: str(d.createdBy),
  updatedBy: str(d.updatedBy),
  deleted: d.deleted === true,
})

export const clientFromDoc = (d: ClientDoc): Client => ({
  ...metaFrom(d),
  name: str(d.name),
  phone: str(d.phone),
  email: str(d.email),
  address: str(d.address),
  notes: str(d.notes),
})

export const patientFromDoc = (d: PatientDoc): Patient => ({
  ...metaFrom(d),
  clientId: str(d.clientId),
  name: str(d.name),
  species: str(d.species),
  breed: str(d.breed),
  sex: d.sex,
  birthDate: str(d.birthDate),
  chip: str(d.chip),
  notes: str(d.notes),
})

export const appointmentFromDoc = (d: AppointmentDoc): Appointment => ({
  ...metaFrom(d),
  clientId: str(d.clientId),
  patientId: str(d.patientId),
  vet: str(d.vet),
  // only where a desk wrote one: older records have none
  ...(d.vetId === undefined ? {} : { vetId: str(d.vetId) }),
  start: str(d.start),
  end: str(d.end),
  reason: str(d.reason),
  status: d.status,
})

const lineFromDoc = (l: InvoiceLineDoc): InvoiceLine => ({
  id: str(l.id),
  itemId: str(l.itemId),
  code: str(l.code),
  name: str(l.name),
  kind: l.kind,
  price: num(l.price),
  qtyMilli: num(l.qtyMilli),
  total: num(l.total),
})

export const paymentFromDoc = (d: PaymentDoc): Payment => ({
  id: str(d.id),
  invoiceId: str(d.invoiceId),
  kind: d.kind,
  method: str(d.method) as PaymentMethod,
  amount: num(d.amount),
  tendered: num(d.tendered),
  change: num(d.change),
  lines: Array.isArray(d.lines)
    ? d.lines.map(l => ({ lineId: str(l.lineId), qtyMilli: num(l.qtyMilli), amount: num(l.amount) }))
    : [],
  reason: str(d.reason),
  at: str(d.at),
  desk: str(d.desk),
  staff: str(d.staff),
  fiscalState: (typeof d.fiscalState === "string" ? d.fiscalState : "none"),
  fiscalNumber: str(d.fiscalNumber),
  fiscalSign: str(d.fiscalSign),
})

/** Payments oldest first (then by id: the same order on every desk). */
export const sortPayments = (ps: Payment[]): Payment[] =>
  ps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

/** The invoice without its payments (readers add them from the document's payments map). */
export const invoiceFromDoc = (d: InvoiceDoc): Invoice => ({
  ...metaFrom(d),
  number: str(d.number),
  clientId: str(d.clientId),
  patientId: str(d.patientId),
  vet: str(d.vet),
  issuedAt: str(d.issuedAt),
  status: d.status,
  paidAt: str(d.paidAt),
  lines: Array.isArray(d.lines) ? d.lines.map(lineFromDoc) : [],
  total: num(d.total),
  payments: [],
  voidReason: str(d.voidReason),
  voidedAt: str(d.voidedAt),
  voidedBy: str(d.voidedBy),
  voidedStaff: str(d.voidedStaff),
})

export const priceItemFromDoc = (d: PriceItemDoc): PriceItem => ({
  id: str(d.id),
  code: str(d.code),
  name: str(d.name),
  kind: d.kind,
  price: num(d.price),
  unit: str(d.unit),
  active: d.active !== false,
  updatedAt: str(d.updatedAt),
  // absent in items published before VAT rates: no field (readers take "none")
  ...(isVatRate(str(d.vat)) ? { vat: str(d.vat) as VatRate } : {}),
})

export const fromDoc = {
  clients: clientFromDoc,
  patients: patientFromDoc,
  appointments: appointmentFromDoc,
  invoices: invoiceFromDoc,
} as const satisfies { [C in Collection]: (d: never) => RecordByCollection[C] }

/** Fields stored as collaborative text rather than ImmutableString. */
const TEXT_FIELDS = new Set(["notes", "reason"])
/** Fields stored as plain scalars (enums, booleans, numbers). */
const SCALAR_FIELDS = new Set([
  "sex",
  "status",
  "kind",
  "deleted",
  "price",
  "qtyMilli",
  "total",
  "active",
  "amount",
  "tendered",
  "change",
  "fiscalState",
])

/** Converts one plain field value to its document representation. */
export const fieldToDoc = (field: string, value: unknown): unknown => {
  if (SCALAR_FIELDS.has(field) || TEXT_FIELDS.has(field)) return value
  if (typeof value === "string") return imm(value)
  return value
}

/** Converts a plain record (or a partial update) to document values; `lines` become line docs. */
export const recordToDoc = (record: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue
    if (k === "payments") continue // records of their own (the document's payments map), never a field
    if (k === "lines" && Array.isArray(v)) out[k] = v.map(l => recordToDoc(l as Record<string, unknown>))
    else out[k] = fieldToDoc(k, v)
  }
  return out
}

export const priceItemToDoc = (p: PriceItem): PriceItemDoc => recordToDoc({ ...p }) as unknown as PriceItemDoc
