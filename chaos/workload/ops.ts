import type { Appointment, Collection, Sex } from "@vetsync/shared"

/**
 * A record named by the op that creates it: "c12" is the client op 12 creates, "p12.0" its
 * first patient. Ids are chosen by the desks at run time; refs make the schedule a function
 * of the seed alone.
 */
export type Ref = string

export interface ClientValues {
  name: string
  phone: string
  email: string
  address: string
  notes: string
}

export interface PatientValues {
  name: string
  species: string
  breed: string
  sex: Sex
  birthDate: string
  chip: string
  notes: string
}

export type ReadCommand =
  | "status"
  | "clients.search"
  | "clients.get"
  | "appointments.day"
  | "appointments.vets"
  | "invoices.get"
  | "invoices.list"
  | "pricelist.search"
  | "conflicts.list"
  | "rejections.list"

/** One step of one desk's receptionist. */
export type OpBody =
  | { kind: "clients.create"; ref: Ref; values: ClientValues; patients: { ref: Ref; values: PatientValues }[] }
  | { kind: "clients.update"; target: Ref; patch: Partial<ClientValues> }
  | { kind: "clients.delete"; target: Ref }
  | { kind: "patients.create"; ref: Ref; client: Ref; values: PatientValues }
  | { kind: "patients.update"; target: Ref; patch: Partial<PatientValues> }
  | { kind: "patients.delete"; target: Ref }
  | {
      kind: "appointments.book"
      ref: Ref
      client: Ref | { ref: Ref; values: ClientValues }
      patient: Ref | { ref: Ref; values: PatientValues }
      vet: string
      start: string
      end: string
      reason: string
    }
  | { kind: "appointments.setStatus"; target: Ref; status: Appointment["status"] }
  | { kind: "invoices.create"; ref: Ref; client: Ref; patient: Ref | null; vet: string; lines: { item: number; qtyMilli: number }[] }
  | { kind: "invoices.markPaid"; target: Ref }
  | { kind: "invoices.void"; target: Ref }
  /** resolves the pick-th open conflict of the desk (designated ones excepted) with its choice-th value */
  | { kind: "conflicts.resolve"; pick: number; choice: number }
  | { kind: "read"; command: ReadCommand; target: Ref | null; query: string; date: string }

export type Op = OpBody & {
  /** global number in the schedule (round * desks + desk) */
  n: number
  desk: number
}

export type OpKind = Op["kind"]

/** The collection a ref's record lives in. */
export const collectionOfRef = (ref: Ref): Collection => {
  switch (ref[0]) {
    case "c":
      return "clients"
    case "p":
      return "patients"
    case "a":
      return "appointments"
    case "i":
      return "invoices"
    default:
      throw new Error(`not a ref: ${ref}`)
  }
}

/** Fields a workload may edit, per collection (text fields merge character-wise, not by value). */
export const CLIENT_FIELDS = ["name", "phone", "email", "address", "notes"] as const
export const PATIENT_FIELDS = ["name", "species", "breed", "sex", "birthDate", "chip", "notes"] as const
export const TEXT_FIELDS: ReadonlySet<string> = new Set(["notes", "reason"])
