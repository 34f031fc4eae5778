import type { Appointment, Client, Collection, Invoice, Patient } from "@vetsync/shared"

/** The records a view looks up by id to name what it shows (the read model answers; in a test, a Map). */
export interface RecordLookup {
  getClient(id: string): Client | undefined
  getPatient(id: string): Patient | undefined
  getAppointment(id: string): Appointment | undefined
  getInvoice(id: string): Invoice | undefined
}

/** What staff see to find a record in a list of conflicts or rejections (recordLabel). */
export type Labeler = (collection: Collection, id: string) => string

/** The reason the server refused the record `key` ("invoices/<id>"), unless an edit since superseded it. */
export type ReasonOf = (key: string, updatedAt: string) => string | null
