import fc from "fast-check"
import { APPOINTMENT_STATUSES, SEXES, phoneKey, storable } from "@vetsync/shared"
import type { BookInput, ClientInput, InvoiceInput, MoveInput, PatientInput } from "../../src/core/api.js"
import { ARG_CAPS } from "../../src/core/commandArgs.js"
import { PRICE_ITEMS } from "./fixtures.js"

/**
 * Honest input for every desk command: what a receptionist (or a script acting for one) may send.
 * All of it must pass the desk's boundary and the shared validators, and every write must land.
 * The desk under test runs on a fixed clock: NOW, so "today" is TODAY and the latest birth date
 * the desk-clock rule takes is LATEST (a clinic east of UTC is already there).
 */
export const NOW = "2026-06-15T12:00:00.000Z"
export const TODAY = "2026-06-15"
export const LATEST = "2026-06-16"

const DAY = 86_400_000
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00.000Z`) / DAY
const isoDay = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10)

const NAMES = ["Иванов Пётр", "Фёдорова Анна-Мария", "O'Brien", "Nguyễn Văn A", "李小龙", "Рекс", "Барсик 🐈", "Ёлка"]

/** any text a person can type: storable (no NUL, no lone surrogate), any script, emoji, quotes, FTS syntax */
const anyText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: "grapheme", maxLength: Math.min(maxLength, 80) }),
      fc.string({ unit: "binary", maxLength: Math.min(maxLength, 40) }),
      fc.constantFrom(...NAMES, 'say "hi"', "a*b", "NEAR(a b)", "-x OR y", "^", "'; DROP TABLE clients; --"),
    )
    .filter(s => storable(s) && s.length <= maxLength)

/** a required text field: not blank once trimmed; sometimes exactly at the field's limit */
const requiredText = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: anyText(max).filter(s => s.trim() !== "") },
    { weight: 1, arbitrary: fc.constantFrom(...NAMES).map(n => ` ${n} `) },
    { weight: 1, arbitrary: fc.constant("я".repeat(max)) },
  )

const optionalText = (max: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: 8, arbitrary: anyText(max) }, { weight: 1, arbitrary: fc.constant("ж".repeat(max)) })

/** a Russian number as staff type it (8…, +7…, 7…, 10 digits; spaces, brackets, dashes), or a foreign one with + */
const phone = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("+7", "8", "7", "+7 ", "8 ", ""),
      fc.constantFrom("9", "4", "3"),
      fc.stringMatching(/^\d{9}$/),
      fc.constantFrom(" ", "-", ""),
      fc.boolean(),
      fc.constantFrom("", " "),
    )
    .map(([prefix, a, b, sep, brackets, pad]) => {
      const d = a + b
      const code = brackets ? `(${d.slice(0, 3)})` : d.slice(0, 3)
      return `${pad}${prefix}${code}${sep}${d.slice(3, 6)}${sep}${d.slice(6, 8)}${sep}${d.slice(8)}${pad}`
    }),
  fc.tuple(fc.constantFrom("+44 ", "+1 ", "+49", "+375 "), fc.stringMatching(/^[1-9]\d{7,9}$/)).map(([cc, n]) => `${cc}${n}`),
)
/** what the desk stores for a phone staff typed: its canonical form */
export const storedPhone = (typed: string): string => phoneKey(typed)

const email = fc.emailAddress().filter(e => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) && e.length <= 2000 && storable(e))

/** a birth date from 1900 to LATEST, the edges included */
export const birthDate = fc.oneof(
  fc.constantFrom("", "1900-01-01", TODAY, LATEST),
  fc.integer({ min: dayOf("1900-01-01"), max: dayOf(LATEST) }).map(isoDay),
)

const chip = fc.oneof(fc.constant(""), fc.stringMatching(/^[0-9A-Za-z]{6,20}$/), fc.constant("643 0981 0000 1234"))

export const clientInput: fc.Arbitrary<ClientInput> = fc.record(
  { name: requiredText(200), phone: fc.oneof(fc.constant(""), phone), email: fc.oneof(fc.constant(""), email), address: optionalText(500), notes: optionalText(10_000) },
  { requiredKeys: ["name"] },
)

export const patientInput: fc.Arbitrary<PatientInput> = fc.record(
  {
    name: requiredText(100),
    species: requiredText(100),
    breed: optionalText(100),
    sex: fc.constantFrom(...SEXES),
    birthDate,
    chip,
    notes: optionalText(10_000),
  },
  { requiredKeys: ["name", "species"] },
)

export const clientPatch = fc.record(
  { name: requiredText(200), phone: fc.oneof(fc.constant(""), phone), email: fc.oneof(fc.constant(""), email), address: optionalText(500), notes: optionalText(10_000) },
  { requiredKeys: [] },
)

export const patientPatch = fc.record(
  { name: requiredText(100), species: requiredText(100), breed: optionalText(100), sex: fc.constantFrom(...SEXES), birthDate, chip, notes: optionalText(10_000) },
  { requiredKeys: [] },
)

/** an appointment slot between 2025 and 2027, 5 minutes to 10 hours, with or without milliseconds */
export const slot = fc
  .tuple(
    fc.integer({ min: Date.parse("2025-01-01T00:00:00Z") / 60_000, max: Date.parse("2027-12-31T12:00:00Z") / 60_000 }),
    fc.integer({ min: 5, max: 600 }),
    fc.boolean(),
  )
  .map(([startMin, minutes, ms]) => {
    const fmt = (m: number): string => {
      const iso = new Date(m * 60_000).toISOString()
      return ms ? iso : iso.replace(".000Z", "Z")
    }
    return { start: fmt(startMin), end: fmt(startMin + minutes) }
  })

/** The ids of records the desk already holds, for commands about existing records. */
export interface Pool {
  clients: { id: string; patients: string[] }[]
  appointments: string[]
  invoices: string[]
}

export const bookInput = (pool: Pool): fc.Arbitrary<BookInput> => {
  const existing = fc.constantFrom(...pool.clients)
  const who = fc.oneof(
    existing.chain(c => fc.constantFrom(...c.patients).map(patientId => ({ clientId: c.id, patientId }))),
    fc.tuple(existing, patientInput).map(([c, newPatient]) => ({ clientId: c.id, newPatient })),
    fc.tuple(clientInput, patientInput).map(([newClient, newPatient]) => ({ newClient, newPatient })),
  )
  return fc
    .tuple(who, requiredText(100), slot, fc.option(optionalText(1000), { nil: undefined }))
    // random vets and times may land on another booking: an honest caller who saw the warning books anyway
    .map(([w, vet, s, reason]) => ({ ...w, vet, ...s, ...(reason === undefined ? {} : { reason }), override: true }))
}

/** a booking moved to another start (and maybe vet), over whatever is there (staff confirmed) */
export const moveInput = (pool: Pool): fc.Arbitrary<MoveInput> =>
  fc
    .tuple(fc.constantFrom(...pool.appointments), slot, fc.option(requiredText(100), { nil: undefined }))
    .map(([id, s, vet]) => ({ id, start: s.start, ...(vet === undefined ? {} : { vet }), override: true }))

export const invoiceInput = (pool: Pool): fc.Arbitrary<InvoiceInput> =>
  fc
    .tuple(
      fc.constantFrom(...pool.clients),
      fc.boolean(),
      fc.option(optionalText(100), { nil: undefined }),
      // (an invoice of ARG_CAPS.lines lines: commandBoundary.test.ts, at the caps)
      fc.integer({ min: 1, max: 5 }),
    )
    .chain(([c, withPatient, vet, n]) =>
      fc
        .array(
          fc.record({
            itemId: fc.constantFrom(...PRICE_ITEMS.map(i => i.id)),
            qtyMilli: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(1, 1000, ARG_CAPS.qtyMilli)),
          }),
          { minLength: n, maxLength: n },
        )
        .chain(lines =>
          fc.constantFrom(...c.patients).map(patientId => ({
            clientId: c.id,
            ...(withPatient ? { patientId } : {}),
            ...(vet === undefined ? {} : { vet }),
            lines,
          })),
        ),
    )

export const appointmentStatus = fc.constantFrom(...APPOINTMENT_STATUSES)

/** a value staff may choose for a field in conflict (appointments' start and end are never edited) */
export const resolvable = fc.oneof(
  fc.tuple(fc.constant("clients" as const), fc.constantFrom("name", "phone", "email", "address", "notes")),
  fc.tuple(fc.constant("patients" as const), fc.constantFrom("name", "species", "breed", "sex", "birthDate", "chip", "notes")),
  fc.tuple(fc.constant("appointments" as const), fc.constantFrom("vet", "reason", "status")),
  fc.tuple(fc.constant("invoices" as const), fc.constantFrom("vet", "status", "paidAt")),
)

const VALUE_OF: Record<string, fc.Arbitrary<string>> = {
  name: requiredText(100),
  species: requiredText(100),
  // a value chosen among the stored ones: canonical
  phone: fc.oneof(fc.constant(""), phone.map(phoneKey)),
  email: fc.oneof(fc.constant(""), email),
  address: optionalText(500),
  notes: optionalText(10_000),
  breed: optionalText(100),
  sex: fc.constantFrom(...SEXES),
  birthDate,
  chip: fc.stringMatching(/^[0-9A-Za-z]{6,20}$/),
  vet: requiredText(100),
  reason: optionalText(1000),
  paidAt: fc.constantFrom("", NOW),
}

export const resolvedValue = (collection: string, field: string): fc.Arbitrary<string> =>
  field === "status"
    ? collection === "invoices"
      ? fc.constantFrom("issued", "paid", "void")
      : appointmentStatus
    : (VALUE_OF[field] ?? fc.constant(""))

/** read-only queries: any text, and a limit anywhere in range */
export const query = fc.oneof(anyText(ARG_CAPS.query), fc.string({ maxLength: ARG_CAPS.query }))
export const limit = fc.option(fc.integer({ min: 1, max: ARG_CAPS.limit }), { nil: undefined })
export const calendarDate = fc.integer({ min: dayOf("1970-01-01"), max: dayOf("2100-12-31") }).map(isoDay)
