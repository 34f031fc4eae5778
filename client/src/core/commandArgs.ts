import {
  APPOINTMENT_STATUSES,
  COLLECTIONS,
  INVOICE_STATES,
  PAYMENT_METHODS,
  SEXES,
  isCalendarDate,
  normalisePhone,
} from "@vetsync/shared"
import { z } from "zod"
import { VAT_RATES } from "./fiscal/types.js"

/**
 * The arguments of every desk command, as zod schemas: the one definition of their shapes. The
 * types in api.ts are inferred from these, and every call is parsed with them before a handler
 * runs (parseArgs.ts), so a wrong type, a missing field, an unknown key or an absurd length is a
 * `validation` error with field paths, never a handler's TypeError.
 *
 * What is checked here is the shape: types, required fields, no unknown keys, enums, and caps
 * that no honest caller comes near, and one normalisation: a phone staff type becomes its
 * canonical form (or is refused). What a record may hold (a name is not blank, a birth date is
 * not in the future, a field's real length limit) is the shared validators' job: they run on the
 * record a command builds (and accept the phones records were stored with before), and the UI
 * shows their errors next to its fields.
 */

/** Caps against absurd input; every field's real limit is lower and belongs to the validators. */
export const ARG_CAPS = {
  /** any text field (the longest real limit: notes, 10,000 characters) */
  text: 20_000,
  /** record and price-item ids, field names */
  id: 200,
  /** search queries */
  query: 500,
  /** patients created with one client */
  patients: 50,
  /** lines of one invoice */
  lines: 500,
  /** a page of results */
  limit: 1_000,
  /** quantity in thousandths: a million units */
  qtyMilli: 1_000_000_000,
  /** kopecks: a billion rubles */
  kopecks: 100_000_000_000,
  /** payments taken at once (mixed payment) */
  payments: 10,
  /** a page offset */
  offset: 10_000_000,
} as const

const text = z.string().max(ARG_CAPS.text)
const id = z.string().min(1).max(ARG_CAPS.id)
const query = z.string().max(ARG_CAPS.query)
const limit = z.int().min(1).max(ARG_CAPS.limit)
const byId = z.strictObject({ id })
/** a calendar date YYYY-MM-DD (2026-02-30 is not one) */
const date = z
  .string()
  .refine(isCalendarDate, { message: "must be a date YYYY-MM-DD", params: { code: "invalid_date" } })
/** a month YYYY-MM */
const month = z
  .string()
  .refine(m => isCalendarDate(`${m}-01`), { message: "must be a month YYYY-MM", params: { code: "invalid_date" } })
const none = z.strictObject({})
const kopecks = z.int().min(0).max(ARG_CAPS.kopecks)
/** one payment of a (possibly mixed) payment: for cash, the money handed over too */
const PaymentInputSchema = z.strictObject({
  method: z.enum(PAYMENT_METHODS),
  amount: kopecks.min(1),
  tendered: kopecks.optional(),
})
/**
 * A phone as staff type it, stored in its canonical form ("8 952 618 10 32" -> "+79526181032");
 * what is not a phone is refused here, with the code of its problem (phone_characters,
 * phone_too_short, phone_too_long, phone_needs_country). "" is no phone.
 */
const phone = text.transform((typed, ctx) => {
  const r = normalisePhone(typed)
  if (r.ok) return r.phone
  ctx.issues.push({ code: "custom", message: r.message, params: { code: r.code }, input: typed })
  return z.NEVER
})

export const ClientInputSchema = z.strictObject({
  name: text,
  phone: phone.optional(),
  email: text.optional(),
  address: text.optional(),
  notes: text.optional(),
})

export const PatientInputSchema = z.strictObject({
  name: text,
  species: text,
  breed: text.optional(),
  sex: z.enum(SEXES).optional(),
  /** YYYY-MM-DD or "" (checked by the shared validator) */
  birthDate: text.optional(),
  chip: text.optional(),
  notes: text.optional(),
})

export const BookInputSchema = z.strictObject({
  /** an existing client, or newClient */
  clientId: id.optional(),
  newClient: ClientInputSchema.optional(),
  /** an existing patient, or newPatient */
  patientId: id.optional(),
  newPatient: PatientInputSchema.optional(),
  vet: text,
  /** the vet's staff id on the roster (else looked up by `vet`) */
  vetId: z.string().max(ARG_CAPS.id).optional(),
  /** ISO start and end (checked by the shared validator) */
  start: text,
  end: text,
  reason: text.optional(),
  /** book even over another booking of the same vet (staff saw the warning and chose to) */
  override: z.boolean().optional(),
})

export const MoveInputSchema = z.strictObject({
  id,
  /** the new ISO start; the duration is kept */
  start: text,
  /** another vet (name as the roster shows it), else the same */
  vet: text.optional(),
  vetId: z.string().max(ARG_CAPS.id).optional(),
  override: z.boolean().optional(),
})

export const InvoiceInputSchema = z.strictObject({
  clientId: id,
  patientId: id.optional(),
  vet: text.optional(),
  lines: z
    .array(z.strictObject({ itemId: id, qtyMilli: z.int().min(1).max(ARG_CAPS.qtyMilli) }))
    .min(1)
    .max(ARG_CAPS.lines),
})

const cashier = z.strictObject({ name: z.string().min(1).max(64), inn: z.string().regex(/^\d{12}$/).optional() })
const byCashier = z.strictObject({ cashier: cashier.optional() })

/** A receipt to fiscalise (fiscal/types.ts ReceiptRequest); its sums are checked by receiptProblems. */
export const ReceiptRequestSchema = z.strictObject({
  key: id,
  sign: z.enum(["sell", "refund"]),
  items: z
    .array(
      z.strictObject({
        name: text,
        qtyMilli: z.int().min(1).max(ARG_CAPS.qtyMilli),
        price: kopecks,
        vat: z.enum(VAT_RATES),
        kind: z.enum(["service", "commodity"]),
      }),
    )
    .min(1)
    .max(ARG_CAPS.lines),
  payments: z.array(z.strictObject({ method: z.enum(PAYMENT_METHODS), amount: kopecks })).min(1).max(10),
  cashier: cashier.optional(),
  clientContact: text.optional(),
})

/** One schema per command of the desk API (api.ts checks that the keys are exactly DeskCommand). */
export const COMMAND_ARGS = {
  status: none,
  "sync.now": none,

  "clients.search": z.strictObject({ query, limit: limit.optional() }),
  "clients.duplicates": z.strictObject({
    name: text,
    /** as typed; a phone that is not one matches nobody */
    phone: text.optional(),
    petNames: z.array(text).max(ARG_CAPS.patients).optional(),
  }),
  "clients.get": byId,
  "clients.create": ClientInputSchema.extend({
    patients: z.array(PatientInputSchema).max(ARG_CAPS.patients).optional(),
  }),
  "clients.update": z.strictObject({ id, patch: ClientInputSchema.partial() }),
  "clients.delete": byId,

  "patients.create": PatientInputSchema.extend({ clientId: id }),
  "patients.update": z.strictObject({ id, patch: PatientInputSchema.partial() }),
  "patients.delete": byId,

  "appointments.book": BookInputSchema,
  "appointments.move": MoveInputSchema,
  "appointments.setStatus": z.strictObject({ id, status: z.enum(APPOINTMENT_STATUSES) }),
  "appointments.day": z.strictObject({ date, vet: text.optional() }),
  "appointments.vets": none,
  "appointments.roster": none,

  "invoices.create": InvoiceInputSchema,
  "invoices.markPaid": byId,
  "invoices.void": z.strictObject({ id, reason: text }),
  "invoices.pay": z.strictObject({
    id,
    payments: z.array(PaymentInputSchema).min(1).max(ARG_CAPS.payments),
  }),
  "invoices.refund": z.strictObject({
    id,
    method: z.enum(PAYMENT_METHODS),
    reason: text,
    amount: kopecks.min(1).optional(),
    lines: z
      .array(z.strictObject({ lineId: id, qtyMilli: z.int().min(1).max(ARG_CAPS.qtyMilli) }))
      .max(ARG_CAPS.lines)
      .optional(),
  }),
  "invoices.search": z.strictObject({
    /** the number or its beginning */
    number: query.optional(),
    clientId: id.optional(),
    /** the clinic's days, from and to inclusive */
    from: date.optional(),
    to: date.optional(),
    states: z.array(z.enum(INVOICE_STATES)).max(INVOICE_STATES.length).optional(),
    limit: limit.optional(),
    offset: z.int().min(0).max(ARG_CAPS.offset).optional(),
  }),
  "invoices.ofClient": z.strictObject({
    clientId: id,
    limit: limit.optional(),
    offset: z.int().min(0).max(ARG_CAPS.offset).optional(),
  }),
  "invoices.get": byId,
  "invoices.list": z.strictObject({
    /** YYYY-MM of issue */
    month: month.optional(),
    clientId: id.optional(),
    limit: limit.optional(),
  }),

  "pricelist.search": z.strictObject({ query, limit: limit.optional() }),

  /** a client's (or, with patientId, one patient's) appointments and invoices, newest first */
  "records.related": z.strictObject({ clientId: id, patientId: id.optional(), limit: limit.optional() }),
  /** a record's changes, newest first, from its document's own change history */
  "records.history": z.strictObject({ collection: z.enum(COLLECTIONS), id }),

  "conflicts.list": none,
  "conflicts.resolve": z.strictObject({ collection: z.enum(COLLECTIONS), id, field: id, value: text }),
  "rejections.list": none,

  "clinic.profile": none,

  "fiscal.status": none,
  "fiscal.openShift": byCashier,
  /** the Z report */
  "fiscal.closeShift": byCashier,
  "fiscal.reportX": byCashier,
  "fiscal.receipt": ReceiptRequestSchema,
  "fiscal.receipts": z.strictObject({
    states: z.array(z.enum(["pending", "sending", "done", "failed"])).max(4).optional(),
    limit: limit.optional(),
  }),
  "fiscal.retry": z.strictObject({ key: id.optional() }),
  /** a day of the clinic, YYYY-MM-DD */
  "fiscal.day": z.strictObject({ date }),
  "money.day": z.strictObject({ date, allDesks: z.boolean().optional() }),
  "staff.list": none,
  "session.current": none,
  "session.signIn": z.strictObject({ staffId: id, pin: z.string().max(64) }),
  "session.signOut": none,
} as const

export type CommandArgSchemas = typeof COMMAND_ARGS
/** The arguments a command's handler receives, inferred from its schema. */
export type CommandArgs<C extends keyof CommandArgSchemas> = z.output<CommandArgSchemas[C]>
