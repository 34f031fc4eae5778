import {
  SEXES,
  normalisePhone,
  validateAppointment,
  validateClient,
  validatePatient,
  zonedIso,
  type FieldError,
  type Validation,
} from "@vetsync/shared/schema"
import type { ClientInput, PatientInput } from "../../core/api.js"
import { qtyProblem } from "../state/qty.js"
import { parseDate, parseTime } from "./dates.js"

/**
 * A form's fields checked all at once, before anything is sent: every problem of every record the
 * form makes (a new client's and its pet's, an appointment's), each named by its path in the
 * command's arguments as the desk names it ("name", "patients[0].birthDate", "newClient.phone",
 * "lines[2].qtyMilli"), so the desk's own answer lands next to the same field. The records'
 * rules are the shared validators the desk runs; what only the UI has (the text of a date, a
 * time, a quantity; whether a client was picked) is read here.
 */

export interface Checked<T> {
  errors: FieldError[]
  /** what is sent when there are no errors */
  value: T
}

export interface ClientFields {
  name: string
  phone: string
  email: string
  address: string
  notes: string
}

export interface PatientFields {
  name: string
  species: string
  breed: string
  sex: string
  /** as typed: ДД.ММ.ГГГГ */
  birthDate: string
  chip: string
  notes: string
}

export interface SlotFields {
  vet: string
  /** as typed: ДД.ММ.ГГГГ, ЧЧ:ММ, minutes */
  date: string
  time: string
  minutes: string
  reason: string
}

export interface Slot {
  vet: string
  /** the clinic's calendar date, YYYY-MM-DD */
  day: string
  start: string
  end: string
  reason: string
}

/** a stand-in for what the desk adds to a record (ids, stamps): only the fields staff type are checked */
const STAND_IN = {
  id: "00000000-0000-4000-8000-000000000000",
  createdAt: "2000-01-01T00:00:00.000Z",
  updatedAt: "2000-01-01T00:00:00.000Z",
  createdBy: "desk",
  updatedBy: "desk",
  deleted: false,
} as const

const problem = (field: string, code: string, message: string): FieldError => ({ field, code, message })

/** the validator's problems with the fields of `fields`, named under `at`, except those already found */
const of = (v: Validation, fields: readonly string[], at: string, found: FieldError[]): FieldError[] =>
  v.ok
    ? []
    : v.errors
        .filter(e => fields.includes(e.field) && !found.some(f => f.field === at + e.field))
        .map(e => ({ ...e, field: at + e.field }))

const CLIENT_FIELDS = ["name", "phone", "email", "address", "notes"] as const

export const checkClient = (f: ClientFields, at = ""): Checked<ClientInput> => {
  const errors: FieldError[] = []
  const phone = f.phone.trim() === "" ? { ok: true as const, phone: "" } : normalisePhone(f.phone)
  if (!phone.ok) errors.push(problem(`${at}phone`, phone.code, phone.message))
  const v = validateClient({
    ...STAND_IN,
    name: f.name.trim(),
    phone: phone.ok ? phone.phone : "",
    email: f.email.trim(),
    address: f.address.trim(),
    notes: f.notes,
  })
  errors.push(...of(v, CLIENT_FIELDS, at, errors))
  return { errors, value: { name: f.name, phone: f.phone, email: f.email, address: f.address, notes: f.notes } }
}

const PATIENT_FIELDS = ["name", "species", "breed", "sex", "birthDate", "chip", "notes"] as const

/** `today`: the clinic's today (a birth date after it is in the future) */
export const checkPatient = (f: PatientFields, today: string, at = ""): Checked<PatientInput> => {
  const errors: FieldError[] = []
  const typed = f.birthDate.trim()
  const birthDate = typed === "" ? "" : parseDate(typed)
  if (birthDate === null) errors.push(problem(`${at}birthDate`, "invalid_date", "is not a date DD.MM.YYYY"))
  const sex = SEXES.find(s => s === f.sex) ?? "unknown"
  const value: PatientInput = {
    name: f.name,
    species: f.species,
    breed: f.breed,
    sex,
    birthDate: birthDate ?? "",
    chip: f.chip,
    notes: f.notes,
  }
  const v = validatePatient(
    {
      ...STAND_IN,
      clientId: STAND_IN.id,
      name: f.name.trim(),
      species: f.species.trim(),
      breed: f.breed.trim(),
      sex,
      birthDate: birthDate ?? "",
      chip: f.chip.replace(/\s/g, ""),
      notes: f.notes,
    },
    { today: () => today, slackDays: 0 },
  )
  errors.push(...of(v, PATIENT_FIELDS, at, errors))
  return { errors, value }
}

/** the longest visit one booking takes: a working day */
export const MAX_MINUTES = 12 * 60

/** The day, time and length of a visit, with its vet and reason, on the clinic's clock (`zone`). */
export const checkSlot = (f: SlotFields, zone: string): Checked<Slot | null> => {
  const errors: FieldError[] = []
  const day = parseDate(f.date)
  if (!day) errors.push(problem("date", "invalid_date", "is not a date DD.MM.YYYY"))
  const time = parseTime(f.time)
  if (!time) errors.push(problem("time", "invalid_time", "is not a time HH:MM"))
  const minutes = f.minutes.trim()
  const length = /^\d{1,4}$/.test(minutes) ? Number(minutes) : NaN
  if (!(length >= 5 && length <= MAX_MINUTES))
    errors.push(problem("minutes", "invalid_duration", `must be 5 to ${MAX_MINUTES} minutes`))
  const start = day && time ? zonedIso(day, time, zone) : ""
  const end = start && errors.length === 0 ? new Date(Date.parse(start) + length * 60_000).toISOString() : ""
  const v = validateAppointment({
    ...STAND_IN,
    clientId: STAND_IN.id,
    patientId: STAND_IN.id,
    vet: f.vet.trim(),
    // only the vet and the reason are read from this check: the day, time and length are read above
    start: STAND_IN.createdAt,
    end: "2000-01-01T00:30:00.000Z",
    reason: f.reason,
    status: "scheduled",
  })
  errors.push(...of(v, ["vet", "reason"], "", errors))
  return { errors, value: errors.length === 0 && day ? { vet: f.vet.trim(), day, start, end, reason: f.reason } : null }
}

/** An existing client and patient picked for a booking or an invoice (`needPatient`: a booking needs one). */
export const checkPicked = (clientId: string, patientId: string, needPatient: boolean): FieldError[] => [
  ...(clientId ? [] : [problem("clientId", "no_client", "pick a client")]),
  ...(clientId && needPatient && !patientId
    ? [problem("patientId", "no_patient", "the client has no patient: add one on the card")]
    : []),
]

/** An invoice's lines: at least one, each with a quantity (`lines[i].qtyMilli`). */
export const checkLines = (lines: readonly { qtyText: string }[]): FieldError[] => [
  ...(lines.length === 0 ? [problem("lines", "no_lines", "add a line from the price list")] : []),
  ...lines.flatMap((l, i) => {
    const code = qtyProblem(l.qtyText)
    return code ? [problem(`lines[${i}].qtyMilli`, code, "is not a quantity")] : []
  }),
]
