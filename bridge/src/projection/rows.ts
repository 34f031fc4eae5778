import {
  invoicePaidAt,
  invoiceState,
  invoiceStatus,
  type Appointment,
  type Client,
  type Collection,
  type Invoice,
  type Patient,
  type RecordByCollection,
} from "@vetsync/shared"
import type { PaymentRow, Row } from "../queries/records.js"

const orNull = (s: string): string | null => (s === "" ? null : s)

const meta = (r: Client | Patient | Appointment | Invoice): Row => ({
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  deleted_at: r.deleted ? r.updatedAt : null,
  created_by: r.createdBy,
  updated_by: r.updatedBy,
})

/** A validated record as the row it is projected to. */
export const rowOf: { [C in Collection]: (clinicId: string, r: RecordByCollection[C]) => Row } = {
  clients: (clinicId, r) => ({
    id: r.id,
    clinic_id: clinicId,
    name: r.name,
    phone: r.phone,
    email: r.email,
    address: r.address,
    notes: r.notes,
    ...meta(r),
  }),
  patients: (clinicId, r) => ({
    id: r.id,
    clinic_id: clinicId,
    client_id: r.clientId,
    name: r.name,
    species: r.species,
    breed: r.breed,
    sex: r.sex,
    birth_date: orNull(r.birthDate),
    chip: r.chip,
    notes: r.notes,
    ...meta(r),
  }),
  appointments: (clinicId, r) => ({
    id: r.id,
    clinic_id: clinicId,
    client_id: r.clientId,
    patient_id: r.patientId,
    vet: r.vet,
    starts_at: r.start,
    ends_at: r.end,
    reason: r.reason,
    status: r.status,
    ...meta(r),
  }),
  invoices: (clinicId, r) => ({
    id: r.id,
    clinic_id: clinicId,
    number: r.number,
    client_id: r.clientId,
    patient_id: orNull(r.patientId),
    vet: r.vet,
    issued_at: r.issuedAt,
    status: invoiceStatus(r),
    paid_at: orNull(invoicePaidAt(r)),
    total_kopecks: r.total,
    state: invoiceState(r),
    void_reason: r.voidReason,
    voided_at: orNull(r.voidedAt),
    voided_by: r.voidedBy,
    voided_staff: r.voidedStaff,
    ...meta(r),
  }),
}

/** An invoice's payments and refunds as invoice_payments rows (migration 0014). */
export const paymentRowsOf = (clinicId: string, r: Invoice): PaymentRow[] =>
  r.payments.map(p => ({
    id: p.id,
    invoice_id: r.id,
    clinic_id: clinicId,
    kind: p.kind,
    method: p.method,
    amount_kopecks: p.amount,
    tendered_kopecks: p.tendered,
    change_kopecks: p.change,
    lines: p.lines,
    reason: p.reason,
    at: p.at,
    desk_id: p.desk,
    staff_id: p.staff,
    fiscal_state: p.fiscalState,
    fiscal_number: p.fiscalNumber,
    fiscal_sign: p.fiscalSign,
  }))

export const itemRowsOf = (r: Invoice): Row[] =>
  r.lines.map((l, i) => ({
    invoice_id: r.id,
    line_no: i,
    line_id: l.id,
    item_id: l.itemId,
    code: l.code,
    name: l.name,
    kind: l.kind,
    price_kopecks: l.price,
    qty_milli: l.qtyMilli,
    total_kopecks: l.total,
  }))

const scalar = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? `${v}` : ""
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : scalar(v))
const text = (v: unknown): string => scalar(v)
const date = (v: unknown): string => {
  if (v == null) return ""
  if (v instanceof Date) {
    const y = v.getFullYear(),
      m = v.getMonth() + 1,
      d = v.getDate()
    return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`
  }
  return scalar(v).slice(0, 10)
}

const metaOfRow = (row: Record<string, unknown>) => ({
  id: text(row.id),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  createdBy: text(row.created_by),
  updatedBy: text(row.updated_by),
  deleted: row.deleted_at != null,
})

/** A row written by the web system, as the record the documents hold. */
export const recordOfRow = {
  clients: (row: Record<string, unknown>): Client => ({
    ...metaOfRow(row),
    name: text(row.name),
    phone: text(row.phone),
    email: text(row.email),
    address: text(row.address),
    notes: text(row.notes),
  }),
  patients: (row: Record<string, unknown>): Patient => ({
    ...metaOfRow(row),
    clientId: text(row.client_id),
    name: text(row.name),
    species: text(row.species),
    breed: text(row.breed),
    sex: text(row.sex) as Patient["sex"],
    birthDate: date(row.birth_date),
    chip: text(row.chip),
    notes: text(row.notes),
  }),
  appointments: (row: Record<string, unknown>): Appointment => ({
    ...metaOfRow(row),
    clientId: text(row.client_id),
    patientId: text(row.patient_id),
    vet: text(row.vet),
    start: iso(row.starts_at),
    end: iso(row.ends_at),
    reason: text(row.reason),
    status: text(row.status) as Appointment["status"],
  }),
}
