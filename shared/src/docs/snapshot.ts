import type { Appointment, Client, Invoice, Patient, PriceItem } from "../schema/records.js"
import type { DocKey } from "./layout.js"
import type { Rejection } from "./records.js"

/** Where one document of the snapshot stood: its id and its heads (automerge-repo UrlHeads, base58). */
export interface SnapshotDocState {
  docId: string
  heads: string[]
}

/**
 * What `GET /clinics/:clinicId/snapshot` of the relay returns (gzip JSON): a clinic's
 * records as plain JSON, so a new desk can search within seconds, and the heads of every
 * document it was built from, so the desk knows when its background sync has caught up.
 */
export interface ClinicSnapshot {
  clinicId: string
  /** ISO time the relay built the snapshot */
  generatedAt: string
  docs: Partial<Record<DocKey, SnapshotDocState>>
  records: {
    clients: Client[]
    patients: Patient[]
    appointments: Appointment[]
    invoices: Invoice[]
  }
  priceList: PriceItem[]
  rejections: Rejection[]
}
