import { localDate, localTime, type Collection } from "@vetsync/shared"
import type { RecordLookup } from "./lookup.js"

/**
 * What staff see to find a record: a client's name, a patient's name and its owner's, an
 * appointment's local date, time (the clinic's zone) and vet, an invoice's number; the id itself
 * when the desk does not have the record.
 */
export const recordLabel = (lookup: RecordLookup, timeZone: string, collection: Collection, id: string): string => {
  switch (collection) {
    case "clients":
      return lookup.getClient(id)?.name ?? id
    case "patients": {
      const p = lookup.getPatient(id)
      return p ? `${p.name} (${lookup.getClient(p.clientId)?.name ?? ""})` : id
    }
    case "appointments": {
      const a = lookup.getAppointment(id)
      return a ? `${localDate(a.start, timeZone)} ${localTime(a.start, timeZone)} ${a.vet}` : id
    }
    case "invoices":
      return lookup.getInvoice(id)?.number ?? id
  }
}

/** updatedAt of a record the desk has. */
export const recordUpdatedAt = (lookup: RecordLookup, collection: Collection, id: string): string | undefined => {
  switch (collection) {
    case "clients":
      return lookup.getClient(id)?.updatedAt
    case "patients":
      return lookup.getPatient(id)?.updatedAt
    case "appointments":
      return lookup.getAppointment(id)?.updatedAt
    case "invoices":
      return lookup.getInvoice(id)?.updatedAt
  }
}
