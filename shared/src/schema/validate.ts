import {
  APPOINTMENT_STATUSES,
  INVOICE_STATUSES,
  ITEM_KINDS,
  SEXES,
  type Appointment,
  type Client,
  type Invoice,
  type Patient,
  type PriceItem,
  type RecordMeta,
} from "./records.js"
import { lineTotal } from "./money.js"
import { storable } from "./storable.js"
import { validatePayment } from "./validatePayment.js"
import { EARLIEST_DATE, deskClockToday, isCalendarDate, latestDate, type DateContext } from "./today.js"

/** One problem with one field. `code` is stable (UIs translate it), `message` is English. */
export interface FieldError {
  field: string
  code: string
  message: string
}

export type Validation = { ok: true } | { ok: false; errors: FieldError[] }

export class ValidationError extends Error {
  readonly errors: FieldError[]
  constructor(what: string, errors: FieldError[]) {
    super(`${what} is invalid: ${errors.map(e => `${e.field}: ${e.message}`).join("; ")}`)
    this.name = "ValidationError"
    this.errors = errors
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
const PHONE = /^\+?[0-9()\-\s]{5,20}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export { storable }

class Checker {
  readonly errors: FieldError[] = []
  add(field: string, code: string, message: string): void {
    this.errors.push({ field, code, message })
  }
  string(value: unknown, field: string, opts: { required?: boolean; max?: number } = {}): void {
    if (typeof value !== "string") return this.add(field, "type", "must be text")
    if (!storable(value)) return this.add(field, "invalid_text", "contains a character that cannot be stored")
    if (opts.required && value.trim() === "") return this.add(field, "required", "is required")
    if (value.length > (opts.max ?? 2000)) this.add(field, "too_long", `is longer than ${opts.max ?? 2000} characters`)
  }
  pattern(value: unknown, field: string, re: RegExp, code: string, message: string, required = false): void {
    if (typeof value !== "string") return this.add(field, "type", "must be text")
    if (!storable(value)) return this.add(field, "invalid_text", "contains a character that cannot be stored")
    if (value === "") {
      if (required) this.add(field, "required", "is required")
      return
    }
    if (!re.test(value)) this.add(field, code, message)
  }
  oneOf(value: unknown, field: string, allowed: readonly string[]): void {
    if (typeof value !== "string" || !allowed.includes(value))
      this.add(field, "invalid", `must be one of ${allowed.join(", ")}`)
  }
  int(value: unknown, field: string, min = 0): void {
    if (typeof value !== "number" || !Number.isSafeInteger(value))
      return this.add(field, "type", "must be a whole number")
    if (value < min) this.add(field, "negative", `must be at least ${min}`)
  }
  result(): Validation {
    return this.errors.length === 0 ? { ok: true } : { ok: false, errors: this.errors }
  }
}

const meta = (c: Checker, r: RecordMeta): void => {
  c.pattern(r.id, "id", UUID, "invalid", "must be a uuid", true)
  c.pattern(r.createdAt, "createdAt", ISO, "invalid", "must be an ISO timestamp", true)
  c.pattern(r.updatedAt, "updatedAt", ISO, "invalid", "must be an ISO timestamp", true)
  c.string(r.createdBy, "createdBy", { required: true, max: 100 })
  c.string(r.updatedBy, "updatedBy", { required: true, max: 100 })
  if (typeof r.deleted !== "boolean") c.add("deleted", "type", "must be true or false")
}

export const validateClient = (r: Client): Validation => {
  const c = new Checker()
  meta(c, r)
  c.string(r.name, "name", { required: true, max: 200 })
  c.pattern(r.phone, "phone", PHONE, "invalid_phone", "must be a phone number")
  c.pattern(r.email, "email", EMAIL, "invalid_email", "must be an e-mail address")
  c.string(r.address, "address", { max: 500 })
  c.string(r.notes, "notes", { max: 10000 })
  return c.result()
}

/** Until the clinic's time zone is plugged in: the machine's clock, a day of slack. */
const DESK_CLOCK = deskClockToday()

/** A birth date: empty, or a real calendar date from 1900 up to today (`dates`). */
const birthDate = (c: Checker, value: unknown, dates: DateContext): void => {
  c.pattern(value, "birthDate", DATE, "invalid_date", "must be a date YYYY-MM-DD")
  if (typeof value !== "string" || !DATE.test(value)) return
  if (!isCalendarDate(value)) c.add("birthDate", "invalid_date", "is not a calendar date")
  else if (value < EARLIEST_DATE) c.add("birthDate", "too_old", `must not be before ${EARLIEST_DATE}`)
  else if (value > latestDate(dates)) c.add("birthDate", "in_future", "must not be in the future")
}

/** `dates` says what today is (default: the machine's clock with a day of slack; see today.ts). */
export const validatePatient = (r: Patient, dates: DateContext = DESK_CLOCK): Validation => {
  const c = new Checker()
  meta(c, r)
  c.pattern(r.clientId, "clientId", UUID, "invalid", "must name a client", true)
  c.string(r.name, "name", { required: true, max: 100 })
  c.string(r.species, "species", { required: true, max: 100 })
  c.string(r.breed, "breed", { max: 100 })
  c.oneOf(r.sex, "sex", SEXES)
  birthDate(c, r.birthDate, dates)
  c.pattern(r.chip, "chip", /^[0-9A-Za-z]{6,20}$/, "invalid_chip", "must be 6 to 20 letters or digits")
  c.string(r.notes, "notes", { max: 10000 })
  return c.result()
}

export const validateAppointment = (r: Appointment): Validation => {
  const c = new Checker()
  meta(c, r)
  c.pattern(r.clientId, "clientId", UUID, "invalid", "must name a client", true)
  c.pattern(r.patientId, "patientId", UUID, "invalid", "must name a patient", true)
  c.string(r.vet, "vet", { required: true, max: 100 })
  if (r.vetId !== undefined) c.string(r.vetId, "vetId", { max: 100 })
  c.pattern(r.start, "start", ISO, "invalid", "must be an ISO timestamp", true)
  c.pattern(r.end, "end", ISO, "invalid", "must be an ISO timestamp", true)
  if (ISO.test(r.start) && ISO.test(r.end) && Date.parse(r.end) <= Date.parse(r.start))
    c.add("end", "end_before_start", "must be after the start")
  c.string(r.reason, "reason", { max: 1000 })
  c.oneOf(r.status, "status", APPOINTMENT_STATUSES)
  return c.result()
}

export const validateInvoice = (r: Invoice): Validation => {
  const c = new Checker()
  meta(c, r)
  c.string(r.number, "number", { required: true, max: 40 })
  c.pattern(r.clientId, "clientId", UUID, "invalid", "must name a client", true)
  c.pattern(r.patientId, "patientId", UUID, "invalid", "must name a patient")
  c.string(r.vet, "vet", { max: 100 })
  c.pattern(r.issuedAt, "issuedAt", ISO, "invalid", "must be an ISO timestamp", true)
  c.oneOf(r.status, "status", INVOICE_STATUSES)
  c.pattern(r.paidAt, "paidAt", ISO, "invalid", "must be an ISO timestamp")
  if (!Array.isArray(r.lines) || r.lines.length === 0) c.add("lines", "required", "needs at least one line")
  let sum = 0
  ;(Array.isArray(r.lines) ? r.lines : []).forEach((l, i) => {
    const f = `lines[${i}]`
    c.string(l.itemId, `${f}.itemId`, { required: true, max: 100 })
    c.string(l.name, `${f}.name`, { required: true, max: 300 })
    c.oneOf(l.kind, `${f}.kind`, ITEM_KINDS)
    c.int(l.price, `${f}.price`)
    c.int(l.qtyMilli, `${f}.qtyMilli`, 1)
    c.int(l.total, `${f}.total`)
    if (Number.isSafeInteger(l.price) && Number.isSafeInteger(l.qtyMilli) && l.total !== lineTotal(l.price, l.qtyMilli))
      c.add(`${f}.total`, "total_mismatch", "does not equal price × quantity")
    sum += typeof l.total === "number" ? l.total : 0
  })
  c.int(r.total, "total")
  if (Number.isSafeInteger(r.total) && r.total !== sum)
    c.add("total", "total_mismatch", "does not equal the sum of the lines")
  c.string(r.voidReason, "voidReason", { max: 500 })
  c.pattern(r.voidedAt, "voidedAt", ISO, "invalid", "must be an ISO timestamp")
  c.string(r.voidedBy, "voidedBy", { max: 100 })
  c.string(r.voidedStaff, "voidedStaff", { max: 100 })
  if (!Array.isArray(r.payments)) c.add("payments", "type", "must be a list")
  else
    r.payments.forEach((p, i) => {
      const v = validatePayment(p, r)
      if (!v.ok) for (const e of v.errors) c.add(`payments[${i}].${e.field}`, e.code, e.message)
    })
  return c.result()
}

export const validatePriceItem = (r: PriceItem): Validation => {
  const c = new Checker()
  c.string(r.id, "id", { required: true, max: 100 })
  c.string(r.code, "code", { required: true, max: 50 })
  c.string(r.name, "name", { required: true, max: 300 })
  c.oneOf(r.kind, "kind", ITEM_KINDS)
  c.int(r.price, "price")
  c.string(r.unit, "unit", { max: 20 })
  if (typeof r.active !== "boolean") c.add("active", "type", "must be true or false")
  return c.result()
}

export const validators = {
  clients: validateClient,
  patients: validatePatient,
  appointments: validateAppointment,
  invoices: validateInvoice,
} as const
