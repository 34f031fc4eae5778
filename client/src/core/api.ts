import type { Appointment, Client, Collection, FieldError, Invoice, Patient, PriceItem, Sex } from "@vetsync/shared"

/**
 * The desk's one typed command/query API. The UI (in Electron through the preload,
 * in a browser through `vetsync desk`'s HTTP endpoint), the CLI and the tests all call
 * these handlers and nothing else.
 */

export type SyncState = "online" | "offline" | "syncing" | "error"

export interface BootstrapProgress {
  phase: "none" | "snapshot" | "documents" | "done"
  /** documents of the clinic the desk knows of / has locally */
  docsTotal: number
  docsLocal: number
  /** records of the relay's snapshot applied so far, and how many it has (0 before it starts) */
  records: number
  recordsTotal: number
}

/** Why records are not reaching the relay: the indicator shows it in red, in the UI's language. */
export type SyncProblemCode = "refused" | "unauthorized" | "stalled" | "save-failed"

export interface SyncProblem {
  code: SyncProblemCode
  /** the relay's or the system's own words (English), shown after the localized sentence */
  detail: string
  /** ISO time the problem began */
  since: string
  /** ISO time of the next connection attempt, while offline */
  retryAt: string | null
}

/** What "sync now" did, or why it could not. */
export type SyncNowOutcome =
  /** no relay is configured: the desk works alone */
  | "no-server"
  /** offline: a connection attempt was started now */
  | "connecting"
  /** online with records waiting: they are being sent again */
  | "sending"
  /** online, nothing waiting: the relay was asked for what changed */
  | "checked"

export interface SyncNowResult {
  outcome: SyncNowOutcome
  status: DeskStatus
}

export interface DeskStatus {
  state: SyncState
  /** a relay connection is open (from the connection's peer events) */
  online: boolean
  /** records changed on this desk that the relay has not acknowledged */
  waitingRecords: number
  /** ISO time the relay last acknowledged everything, or null */
  lastSyncedAt: string | null
  /** reason for state "error" (English; the UI shows `problem` localized) */
  error: string | null
  problem: SyncProblem | null
  bootstrap: BootstrapProgress
  deskId: string
  clinicId: string
  server: string | null
  peers: { peerId: string; kind: "relay" | "desk" | "other" }[]
}

export interface ClientInput {
  name: string
  phone?: string
  email?: string
  address?: string
  notes?: string
}

export interface PatientInput {
  name: string
  species: string
  breed?: string
  sex?: Sex
  birthDate?: string
  chip?: string
  notes?: string
}

export interface ClientSearchHit {
  id: string
  name: string
  phone: string
  /** the matching patients' names, for display */
  patients: { id: string; name: string; species: string; chip: string }[]
}

/** A field that two desks changed at the same time: the value kept and the others. */
export interface ConflictView {
  collection: Collection
  id: string
  field: string
  kept: string
  others: string[]
  /** what staff see to find the record: client name, invoice number ... */
  label: string
}

/** The server (bridge) refused to project a record. */
export interface RejectionView {
  collection: Collection
  id: string
  reason: string
  at: string
  label: string
}

export interface ClientCard {
  client: Client
  patients: Patient[]
  conflicts: ConflictView[]
  rejection: RejectionView | null
}

export interface AppointmentView extends Appointment {
  clientName: string
  patientName: string
  /** another live appointment of the same vet overlaps this one */
  overlapsWith: string[]
  rejection: string | null
}

export interface InvoiceView extends Invoice {
  clientName: string
  patientName: string
  rejection: string | null
}

export interface BookInput {
  /** an existing client, or newClient */
  clientId?: string
  newClient?: ClientInput
  /** an existing patient, or newPatient */
  patientId?: string
  newPatient?: PatientInput
  vet: string
  /** ISO start and end */
  start: string
  end: string
  reason?: string
}

export interface InvoiceInput {
  clientId: string
  patientId?: string
  vet?: string
  lines: { itemId: string; qtyMilli: number }[]
}

export interface DeskHandlers {
  status: () => DeskStatus
  "sync.now": () => SyncNowResult

  "clients.search": (args: { query: string; limit?: number }) => ClientSearchHit[]
  "clients.get": (args: { id: string }) => ClientCard | null
  "clients.create": (args: ClientInput & { patients?: PatientInput[] }) => { client: Client; patients: Patient[] }
  "clients.update": (args: { id: string; patch: Partial<ClientInput> }) => Client
  "clients.delete": (args: { id: string }) => { ok: true }

  "patients.create": (args: PatientInput & { clientId: string }) => Patient
  "patients.update": (args: { id: string; patch: Partial<PatientInput> }) => Patient
  "patients.delete": (args: { id: string }) => { ok: true }

  "appointments.book": (args: BookInput) => { appointment: Appointment; client: Client; patient: Patient }
  "appointments.setStatus": (args: { id: string; status: Appointment["status"] }) => Appointment
  "appointments.day": (args: { date: string; vet?: string }) => AppointmentView[]
  "appointments.vets": () => string[]

  "invoices.create": (args: InvoiceInput) => Invoice
  "invoices.markPaid": (args: { id: string }) => Invoice
  "invoices.void": (args: { id: string }) => Invoice
  "invoices.get": (args: { id: string }) => InvoiceView | null
  "invoices.list": (args: { month?: string; clientId?: string; limit?: number }) => InvoiceView[]

  "pricelist.search": (args: { query: string; limit?: number }) => PriceItem[]

  "conflicts.list": () => ConflictView[]
  "conflicts.resolve": (args: { collection: Collection; id: string; field: string; value: string }) => { ok: true }
  "rejections.list": () => RejectionView[]
}

export type DeskCommand = keyof DeskHandlers
export type DeskArgs<C extends DeskCommand> = Parameters<DeskHandlers[C]> extends [infer A] ? A : undefined
export type DeskResult<C extends DeskCommand> = ReturnType<DeskHandlers[C]>

/** Events pushed to the UI. */
export type DeskEvent =
  | { type: "status"; status: DeskStatus }
  /** records changed (locally or from another desk): views refresh */
  | { type: "records-changed"; collections: Collection[] }

/** What an API call answers over any transport: tagged union, never a thrown value across the boundary. */
export type ApiResponse<T> =
  { ok: true; value: T } | { ok: false; error: { code: ApiErrorCode; message: string; fields?: FieldError[] } }

export type ApiErrorCode = "validation" | "not_found" | "rejected" | "bad_request" | "internal"

export class DeskError extends Error {
  readonly code: ApiErrorCode
  readonly fields: FieldError[] | undefined
  constructor(code: ApiErrorCode, message: string, fields?: FieldError[]) {
    super(message)
    this.name = "DeskError"
    this.code = code
    this.fields = fields
  }
}

/** The async form every transport offers: a call per command. */
export type DeskApi = {
  [C in DeskCommand]: (...args: Parameters<DeskHandlers[C]>) => Promise<ReturnType<DeskHandlers[C]>>
}

export const DESK_COMMANDS = [
  "status",
  "sync.now",
  "clients.search",
  "clients.get",
  "clients.create",
  "clients.update",
  "clients.delete",
  "patients.create",
  "patients.update",
  "patients.delete",
  "appointments.book",
  "appointments.setStatus",
  "appointments.day",
  "appointments.vets",
  "invoices.create",
  "invoices.markPaid",
  "invoices.void",
  "invoices.get",
  "invoices.list",
  "pricelist.search",
  "conflicts.list",
  "conflicts.resolve",
  "rejections.list",
] as const satisfies readonly DeskCommand[]

export const isDeskCommand = (s: string): s is DeskCommand => (DESK_COMMANDS as readonly string[]).includes(s)
