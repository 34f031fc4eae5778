import type { VatRate } from "./vat.js"
/**
 * Plain (JSON) shapes of the records every part of VetSync exchanges.
 * Money is integer kopecks; timestamps are ISO-8601 strings in UTC.
 */
import type { Payment } from "./payments.js"

export const SCHEMA_VERSION = 1

export interface RecordMeta {
  id: string
  createdAt: string
  updatedAt: string
  /** desk id (or "server"/"import") that created the record */
  createdBy: string
  /** desk id that wrote the record last */
  updatedBy: string
  deleted: boolean
}

export interface Client extends RecordMeta {
  name: string
  phone: string
  email: string
  address: string
  notes: string
}

export const SEXES = ["male", "female", "unknown"] as const
export type Sex = (typeof SEXES)[number]

export interface Patient extends RecordMeta {
  clientId: string
  name: string
  species: string
  breed: string
  sex: Sex
  /** YYYY-MM-DD or "" */
  birthDate: string
  chip: string
  notes: string
}

export const APPOINTMENT_STATUSES = ["scheduled", "arrived", "done", "cancelled", "no_show"] as const
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number]

export interface Appointment extends RecordMeta {
  clientId: string
  patientId: string
  vet: string
  /**
   * the vet's staff id (the roster's, client/src/core/views/roster.ts); "" or absent for records
   * booked before vets came from a roster. `vet` keeps the name as it was shown.
   */
  vetId?: string
  /** ISO start/end */
  start: string
  end: string
  reason: string
  status: AppointmentStatus
}

export const ITEM_KINDS = ["service", "product"] as const
export type ItemKind = (typeof ITEM_KINDS)[number]

export interface InvoiceLine {
  id: string
  /** price-list item the line was sold from */
  itemId: string
  code: string
  name: string
  kind: ItemKind
  /** price per unit at the time of sale, kopecks */
  price: number
  /** quantity in thousandths of a unit (1 unit = 1000) */
  qtyMilli: number
  /** round(price * qtyMilli / 1000), kopecks */
  total: number
}

export const INVOICE_STATUSES = ["issued", "paid", "void"] as const
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number]

export interface Invoice extends RecordMeta {
  /** unique per clinic: <desk code>-<YYMM>-<sequence> */
  number: string
  clientId: string
  patientId: string
  vet: string
  issuedAt: string
  status: InvoiceStatus
  paidAt: string
  lines: InvoiceLine[]
  /** sum of line totals, kopecks */
  total: number
  /**
   * Its payments and refunds, oldest first: records of their own in the invoice's month document
   * (see payments.ts), gathered here when the invoice is read; never written through the invoice.
   */
  payments: Payment[]
  /** why it was voided ("" unless status is "void"), when, by which desk and staff member */
  voidReason: string
  voidedAt: string
  voidedBy: string
  voidedStaff: string
}

export interface PriceItem {
  id: string
  code: string
  name: string
  kind: ItemKind
  price: number
  unit: string
  active: boolean
  updatedAt: string
  /** the item's VAT rate for receipts; absent (items published before it existed): "none" */
  vat?: VatRate
}

export const COLLECTIONS = ["clients", "patients", "appointments", "invoices"] as const
export type Collection = (typeof COLLECTIONS)[number]

export interface RecordByCollection {
  clients: Client
  patients: Patient
  appointments: Appointment
  invoices: Invoice
}

/** "clients/<uuid>" and so on: how a record is named across desks, relay and bridge */
export type RecordKey = `${Collection}/${string}`

export const recordKey = (collection: Collection, id: string): RecordKey => `${collection}/${id}`

export const parseRecordKey = (key: string): { collection: Collection; id: string } | undefined => {
  const slash = key.indexOf("/")
  if (slash < 0) return undefined
  const collection = key.slice(0, slash)
  const id = key.slice(slash + 1)
  if (!(COLLECTIONS as readonly string[]).includes(collection) || id === "") return undefined
  return { collection: collection as Collection, id }
}
