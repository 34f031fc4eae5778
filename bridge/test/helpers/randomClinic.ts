import { createHash } from "node:crypto"
import fc from "fast-check"
import { lineTotal, noPaymentsYet, type Appointment, type Client, type Invoice, type Patient } from "@vetsync/shared"

/**
 * A random clinic for the arrival-order property: clients, patients, appointments and
 * invoices spread over client shards and month partitions, written on two desks, with
 * records invalid on their own (some fixed later), references that never arrive, soft
 * deletes and edits. Plain data, so fast-check can shrink it; `buildClinic` turns it into
 * records and edits.
 */

/** How a record starts out wrong: caught by the shared validators, or only by PostgreSQL (a day that does not exist). */
export type Flaw = "none" | "validator" | "date"

export interface ClientPlan {
  desk: number
  flaw: Flaw
  fixed: boolean
}
export interface PatientPlan {
  desk: number
  client: number
  flaw: Flaw
  fixed: boolean
}
export interface AppointmentPlan {
  desk: number
  patient: number
  /** references a client that no desk ever creates */
  ghost: boolean
  month: number
  day: number
  flaw: Flaw
  fixed: boolean
}
export interface InvoicePlan {
  desk: number
  patient: number
  withPatient: boolean
  month: number
  flaw: Flaw
  fixed: boolean
}
export type EditPlan =
  | {
      t: "edit"
      desk: number
      collection: "clients" | "patients" | "appointments" | "invoices"
      index: number
      n: number
    }
  | { t: "delete"; desk: number; collection: "clients" | "patients" | "appointments"; index: number }
  | { t: "sync"; doc: number }

export interface ClinicPlan {
  clients: ClientPlan[]
  patients: PatientPlan[]
  appointments: AppointmentPlan[]
  invoices: InvoicePlan[]
  /** after every record was created (fixes are applied last) */
  edits: EditPlan[]
  /** drives the delivery order and the projection points */
  deliverySeed: number
}

const desk = fc.nat(1)
const flaw = (weights: [number, number, number]) =>
  fc.oneof(
    { weight: weights[0], arbitrary: fc.constant<Flaw>("none") },
    { weight: weights[1], arbitrary: fc.constant<Flaw>("validator") },
    { weight: weights[2], arbitrary: fc.constant<Flaw>("date") },
  )

export const clinicPlanArb: fc.Arbitrary<ClinicPlan> = fc.record({
  clients: fc.array(fc.record({ desk, flaw: flaw([8, 1, 0]), fixed: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  patients: fc.array(fc.record({ desk, client: fc.nat(), flaw: flaw([8, 1, 1]), fixed: fc.boolean() }), {
    maxLength: 8,
  }),
  appointments: fc.array(
    fc.record({
      desk,
      patient: fc.nat(),
      ghost: fc.nat(15).map(n => n === 0),
      month: fc.nat(3),
      day: fc.integer({ min: 1, max: 28 }),
      flaw: flaw([8, 1, 1]),
      fixed: fc.boolean(),
    }),
    { maxLength: 10 },
  ),
  invoices: fc.array(
    fc.record({
      desk,
      patient: fc.nat(),
      withPatient: fc.boolean(),
      month: fc.nat(3),
      flaw: flaw([8, 2, 0]),
      fixed: fc.boolean(),
    }),
    { maxLength: 6 },
  ),
  edits: fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          t: fc.constant("edit" as const),
          desk,
          collection: fc.constantFrom(
            "clients" as const,
            "patients" as const,
            "appointments" as const,
            "invoices" as const,
          ),
          index: fc.nat(),
          n: fc.nat(99),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          t: fc.constant("delete" as const),
          desk,
          collection: fc.constantFrom("clients" as const, "patients" as const, "appointments" as const),
          index: fc.nat(),
        }),
      },
      { weight: 2, arbitrary: fc.record({ t: fc.constant("sync" as const), doc: fc.nat() }) },
    ),
    { maxLength: 20 },
  ),
  deliverySeed: fc.nat(),
})

const MONTHS = ["2026-10", "2026-11", "2026-12", "2027-01"]
/** A day that passes the shared validators' pattern but does not exist: PostgreSQL refuses it. */
const NO_SUCH_DAY = "2026-11-31"

/** A deterministic uuid per (run, name), so a replayed seed builds the same clinic. */
export const uuidOf = (...parts: (string | number)[]): string => {
  const h = createHash("sha256").update(parts.join("\0")).digest("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export type AnyPlain = Client | Patient | Appointment | Invoice
export type Named = "clients" | "patients" | "appointments" | "invoices"

/** A record as created, and the one change that makes it valid (if its plan fixes it). */
export interface Built {
  collection: Named
  record: AnyPlain
  desk: number
  fix: Partial<AnyPlain> | undefined
}

const NAMES = ["Анна Смирнова", "Ivan Petrov", "Ольга Фёдорова", "Pavel Orlov", "Мария Козлова"]
const PETS = ["Барсик", "Rex", "Мурка", "Sharik", "Luna"]

export const buildRecords = (run: string, plan: ClinicPlan, at: () => string): Built[] => {
  const deskId = (d: number) => `desk-${d + 1}`
  const meta = (collection: string, i: number, d: number) => {
    const t = at()
    return {
      id: uuidOf(run, collection, i),
      createdAt: t,
      updatedAt: t,
      createdBy: deskId(d),
      updatedBy: deskId(d),
      deleted: false,
    }
  }
  const out: Built[] = []
  const clients = plan.clients.map((p, i): Client => {
    const record: Client = {
      ...meta("clients", i, p.desk),
      name: p.flaw === "none" ? NAMES[i % NAMES.length]! : "   ",
      phone: `+7 900 ${String(100 + i).padStart(3, "0")}-00-00`,
      email: "",
      address: "",
      notes: "",
    }
    out.push({ collection: "clients", record, desk: p.desk, fix: p.fixed ? { name: `Fixed ${i}` } : undefined })
    return record
  })
  const patients = plan.patients.map((p, i): Patient => {
    const record: Patient = {
      ...meta("patients", i, p.desk),
      clientId: clients[p.client % clients.length]!.id,
      name: PETS[i % PETS.length]!,
      species: p.flaw === "validator" ? "" : "cat",
      breed: "",
      sex: "unknown",
      birthDate: p.flaw === "date" ? "2021-02-30" : "2020-05-01",
      chip: "",
      notes: "",
    }
    const fix = p.flaw === "validator" ? { species: "dog" } : { birthDate: "2021-02-28" }
    out.push({ collection: "patients", record, desk: p.desk, fix: p.fixed && p.flaw !== "none" ? fix : undefined })
    return record
  })
  plan.appointments.forEach((p, i) => {
    const patient = patients.length > 0 ? patients[p.patient % patients.length]! : undefined
    const ghost = p.ghost || !patient
    const day = p.flaw === "date" ? NO_SUCH_DAY : `${MONTHS[p.month]}-${String(p.day).padStart(2, "0")}`
    const start = `${day}T10:00:00.000Z`
    const record: Appointment = {
      ...meta("appointments", i, p.desk),
      clientId: ghost ? uuidOf(run, "ghost-client", i) : patient.clientId,
      patientId: ghost ? uuidOf(run, "ghost-patient", i) : patient.id,
      vet: "Dr. Sidorova",
      start,
      end: p.flaw === "validator" ? `${day}T09:00:00.000Z` : `${day}T10:30:00.000Z`,
      reason: "",
      status: "scheduled",
    }
    const fix =
      p.flaw === "date"
        ? { start: "2026-11-30T10:00:00.000Z", end: "2026-11-30T10:30:00.000Z" }
        : { end: `${day}T10:30:00.000Z` }
    out.push({ collection: "appointments", record, desk: p.desk, fix: p.fixed && p.flaw !== "none" ? fix : undefined })
  })
  plan.invoices.forEach((p, i) => {
    if (clients.length === 0) return
    const patient = patients.length > 0 ? patients[p.patient % patients.length]! : undefined
    const price = p.flaw === "validator" ? -15000 : 150000
    const lines = [
      {
        id: uuidOf(run, "line", i),
        itemId: "vac",
        code: "VAC",
        name: "Vaccination",
        kind: "service" as const,
        price,
        qtyMilli: 1500,
        total: lineTotal(price, 1500),
      },
    ]
    const record: Invoice = {
      ...meta("invoices", i, p.desk),
      number: `D${p.desk + 1}-${i}`,
      clientId: patient && p.withPatient ? patient.clientId : clients[p.patient % clients.length]!.id,
      patientId: patient && p.withPatient ? patient.id : "",
      vet: "Dr. Sidorova",
      issuedAt: `${MONTHS[p.month]}-15T12:00:00.000Z`,
      status: "issued",
      paidAt: "",
      lines,
      total: lines[0]!.total,
      ...noPaymentsYet(),
    }
    const fixedLines = [{ ...lines[0]!, price: 15000, total: lineTotal(15000, 1500) }]
    const fix = { lines: fixedLines, total: fixedLines[0]!.total }
    out.push({ collection: "invoices", record, desk: p.desk, fix: p.fixed && p.flaw !== "none" ? fix : undefined })
  })
  return out
}

/** An ordinary edit of a record's fields (n picks the value). */
export const editOf = (collection: Named, n: number): Partial<AnyPlain> => {
  switch (collection) {
    case "clients":
      return n % 2 === 0 ? { phone: `+7 911 ${String(n).padStart(3, "0")}-11-11` } : { notes: `note ${n}` }
    case "patients":
      return n % 2 === 0 ? { name: `${PETS[n % PETS.length]} ${n}` } : { breed: `breed ${n}` }
    case "appointments":
      return { status: (["arrived", "done", "cancelled", "no_show", "scheduled"] as const)[n % 5] }
    case "invoices":
      return n % 2 === 0 ? { status: "paid", paidAt: "2026-12-20T12:00:00.000Z" } : { vet: `Dr. ${n}` }
  }
}
