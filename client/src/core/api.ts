import type {
  Appointment,
  Client,
  ClinicProfile,
  Collection,
  FieldError,
  Invoice,
  InvoiceMoney,
  InvoiceState,
  Patient,
  Payment,
  PriceItem,
  WorkingHours,
  StaffView,
} from "@vetsync/shared"
import type { z } from "zod"
import type { DayReport } from "./fiscal/endOfDay.js"
import type { EndOfDayView } from "./views/endOfDay.js"
import type { FiscalDeskStatus } from "./fiscal/FiscalDesk.js"
import type { QueuedReceipt } from "./fiscal/ReceiptQueue.js"
import type { FiscalDocument, FiscalResult, XReport } from "./fiscal/types.js"
import type {
  BookInputSchema,
  ClientInputSchema,
  CommandArgs,
  CommandArgSchemas,
  InvoiceInputSchema,
  MoveInputSchema,
  PatientInputSchema,
} from "./commandArgs.js"

export type { EndOfDayView, MoneyByMethodView } from "./views/endOfDay.js"
export type { DayReport, FiscalDeskStatus, QueuedReceipt, FiscalDocument, FiscalResult, XReport }
export type { FiscalError } from "./fiscal/errors.js"

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
  /** the desk's short code (its invoice numbers' prefix, e.g. "D2"): how staff name the desk */
  deskCode: string
  clinicId: string
  server: string | null
  peers: { peerId: string; kind: "relay" | "desk" | "other" }[]
  /** desks of the clinic connected over the LAN (issue 15); their sync never counts as the relay's acknowledgement */
  lanPeers: number
}

/** Argument types are inferred from the schemas every call is parsed with (commandArgs.ts). */
export type ClientInput = z.output<typeof ClientInputSchema>
export type PatientInput = z.output<typeof PatientInputSchema>

export interface ClientSearchHit {
  id: string
  name: string
  /** as stored (records kept as typed before phones were normalised too); the UI formats it */
  phone: string
  /** the client's patients, for display */
  patients: { id: string; name: string; species: string; chip: string }[]
}

/** A page of hits, best first, and how many clients match in all. */
export interface ClientSearchResult {
  hits: ClientSearchHit[]
  total: number
}

/** Why a new client is probably an existing one. */
export type DuplicateReason = "phone" | "name-and-pet"

/** An existing client a new one probably is, and why. */
export interface DuplicateCandidate extends ClientSearchHit {
  reasons: DuplicateReason[]
}

/**
 * Who wrote a change, read from its Automerge message and time: a desk's change names the desk
 * (and the staff member signed in, when one was); a change with no author is the server's
 * (the bridge, an import, a document's genesis).
 */
export interface ChangeBy {
  /** "desk": a desk's command wrote it; "server": the bridge, an import or a genesis */
  source: "desk" | "server"
  /** the desk's id as it is ("front-1"); "" for the server */
  desk: string
  /** the staff member's id, "" when nobody was signed in */
  staff: string
  /** the staff member's name (views/staffNames.ts), "" when nobody was signed in */
  staffName: string
  /** ISO time of the change (Automerge keeps seconds) */
  at: string
}

/** One field of a record, as one change left it. */
export interface FieldChange {
  field: string
  /** the value before the change ("" when there was none), as text: the UI formats it */
  from: string
  to: string
}

/** One change of a record: who, when, which fields from what to what. */
export interface HistoryEntry extends ChangeBy {
  /** the Automerge change's hash */
  hash: string
  /** the change created the record */
  created: boolean
  /** the desk command that made it ("clients.update"), "" when unknown */
  cmd: string
  fields: FieldChange[]
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
  /** who wrote the kept value and each other value (same order as `others`), when the desk could read it */
  keptBy?: ChangeBy | null
  othersBy?: (ChangeBy | null)[]
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

/** A vet of the clinic's roster, as the booking grid and form offer them (views/roster.ts). */
export interface RosterVet {
  /** the staff member's id */
  id: string
  name: string
  workingHours: WorkingHours
}

/** A live booking of the same vet that a new or moved one would overlap: appointments.book and .move refuse with these. */
export interface OverlapView {
  id: string
  vet: string
  start: string
  end: string
  clientName: string
  patientName: string
}

export interface InvoiceView extends Invoice {
  clientName: string
  patientName: string
  rejection: string | null
  /** the status it shows, from its payments */
  state: InvoiceState
  /** paid, refunded, net, due, refundable (kopecks) */
  money: InvoiceMoney
}

/** One page of invoices and how many match in all. */
export interface InvoicePage {
  items: InvoiceView[]
  total: number
}

/** A card's appointments and invoices (of a client, or of one patient), newest first, a page each. */
export interface RelatedRecords {
  appointments: AppointmentView[]
  /** how many appointments there are in all (more than shown: "show more") */
  appointmentsTotal: number
  invoices: InvoiceView[]
  invoicesTotal: number
}

/** The clinic as this desk knows it: its published profile and the time zone its days are counted in. */
export interface ClinicProfileView {
  /** what the bridge published (`vetsync clinics set`), or null until the desk has received it */
  profile: ClinicProfile | null
  /** the IANA zone the desk counts days, months and invoice numbers in */
  timeZone: string
  /** "clinic": the profile's zone; "default": the profile names none (yet), so DEFAULT_TIME_ZONE (Europe/Moscow) */
  timeZoneSource: "clinic" | "default"
  /** today's date in that zone, YYYY-MM-DD */
  today: string
}

export type BookInput = z.output<typeof BookInputSchema>
export type MoveInput = z.output<typeof MoveInputSchema>
export type InvoiceInput = z.output<typeof InvoiceInputSchema>

type Args<C extends keyof CommandArgSchemas> = CommandArgs<C>

export interface DeskHandlers {
  status: () => DeskStatus
  "sync.now": () => SyncNowResult

  "clients.search": (args: Args<"clients.search">) => ClientSearchResult
  /** existing clients a client about to be created probably is (same phone, or same name and pet name) */
  "clients.duplicates": (args: Args<"clients.duplicates">) => DuplicateCandidate[]
  "clients.get": (args: Args<"clients.get">) => ClientCard | null
  "clients.create": (args: Args<"clients.create">) => { client: Client; patients: Patient[] }
  "clients.update": (args: Args<"clients.update">) => Client
  "clients.delete": (args: Args<"clients.delete">) => { ok: true }

  "patients.create": (args: Args<"patients.create">) => Patient
  "patients.update": (args: Args<"patients.update">) => Patient
  "patients.delete": (args: Args<"patients.delete">) => { ok: true }

  "appointments.book": (args: Args<"appointments.book">) => {
    appointment: Appointment
    client: Client
    patient: Patient
  }
  /** to another start (same duration) and/or vet; refused (code "overlap") over another booking of the vet unless override */
  "appointments.move": (args: Args<"appointments.move">) => Appointment
  "appointments.setStatus": (args: Args<"appointments.setStatus">) => Appointment
  "appointments.day": (args: Args<"appointments.day">) => AppointmentView[]
  "appointments.vets": () => string[]
  /** the vets appointments are booked with, and their working hours */
  "appointments.roster": () => RosterVet[]

  "invoices.create": (args: Args<"invoices.create">) => Invoice
  "invoices.markPaid": (args: Args<"invoices.markPaid">) => InvoiceView
  "invoices.void": (args: Args<"invoices.void">) => InvoiceView
  "invoices.get": (args: Args<"invoices.get">) => InvoiceView | null
  "invoices.list": (args: Args<"invoices.list">) => InvoiceView[]
  /** payments (one, or several: mixed), partial or in full; cash with the money tendered and the change */
  "invoices.pay": (args: Args<"invoices.pay">) => { invoice: InvoiceView; payments: Payment[] }
  /** gives back an amount or lines */
  "invoices.refund": (args: Args<"invoices.refund">) => { invoice: InvoiceView; refund: Payment }
  /** invoices by number, client, the clinic's days and status, newest first, a page at a time */
  "invoices.search": (args: Args<"invoices.search">) => InvoicePage
  /** a client's invoices, newest first (for the client card) */
  "invoices.ofClient": (args: Args<"invoices.ofClient">) => InvoicePage

  "pricelist.search": (args: Args<"pricelist.search">) => PriceItem[]

  "records.related": (args: Args<"records.related">) => RelatedRecords
  "records.history": (args: Args<"records.history">) => HistoryEntry[]

  "conflicts.list": () => ConflictView[]
  "conflicts.resolve": (args: Args<"conflicts.resolve">) => { ok: true }
  "rejections.list": () => RejectionView[]

  "clinic.profile": () => ClinicProfileView

  /** the register's state and the receipt queue's counts (`unavailable` when the desk has no register) */
  "fiscal.status": () => FiscalDeskStatus
  "fiscal.openShift": (args: Args<"fiscal.openShift">) => FiscalResult<FiscalDocument>
  /** closes the shift: the Z report */
  "fiscal.closeShift": (args: Args<"fiscal.closeShift">) => FiscalResult<FiscalDocument>
  "fiscal.reportX": (args: Args<"fiscal.reportX">) => FiscalResult<XReport>
  /** stores a receipt (its key: idempotency) and tries it once; failed ones stay and are retried */
  "fiscal.receipt": (args: Args<"fiscal.receipt">) => QueuedReceipt
  "fiscal.receipts": (args: Args<"fiscal.receipts">) => QueuedReceipt[]
  /** sends failed and waiting receipts again (one by key, or all): answers those still not done */
  "fiscal.retry": (args: Args<"fiscal.retry">) => QueuedReceipt[]
  /** this desk's cash report for a day of the clinic */
  "fiscal.day": (args: Args<"fiscal.day">) => DayReport
  /**
   * The end-of-day cash report of a day of the clinic from the payment records (this desk's, or
   * with allDesks every desk's merged here): sales and refunds by method, voids, cash in the drawer.
   */
  "money.day": (args: Args<"money.day">) => EndOfDayView
  /** the clinic's staff (never their PIN hashes), active first */
  "staff.list": () => StaffView[]
  "session.current": () => SessionView
  /** checks the PIN offline; signing in as someone else replaces the session */
  "session.signIn": (args: Args<"session.signIn">) => SessionView
  "session.signOut": () => SessionView
}

/** Who is signed in at this desk, and whether changes need someone to be. */
export interface SessionView {
  /** some active member of the clinic has a PIN: changes are refused until someone signs in */
  required: boolean
  /** the signed-in member, or null */
  staff: StaffView | null
}

export type DeskCommand = keyof DeskHandlers

/** Compile-time: one argument schema per command, and no schema without a command (fails to compile otherwise). */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Holds<T extends true> = T
export type SchemasCoverCommands = Holds<SameKeys<keyof CommandArgSchemas, DeskCommand>>
export type DeskArgs<C extends DeskCommand> = Parameters<DeskHandlers[C]> extends [infer A] ? A : undefined
export type DeskResult<C extends DeskCommand> = ReturnType<DeskHandlers[C]>

/** Events pushed to the UI. */
export type DeskEvent =
  | { type: "status"; status: DeskStatus }
  /** records changed (locally or from another desk): views refresh */
  | { type: "records-changed"; collections: Collection[] }
  /** the clinic's profile arrived or changed (its time zone too): headers and day views refresh */
  | { type: "profile"; profile: ClinicProfileView }
  /** someone signed in or out, or the clinic's staff changed: the header and the staff list refresh */
  | { type: "session"; session: SessionView }

/** What an API call answers over any transport: tagged union, never a thrown value across the boundary. */
export type ApiResponse<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ApiErrorCode; message: string; fields?: FieldError[]; overlaps?: OverlapView[] } }

/**
 * `forbidden`: the transport refused the caller (desk API: foreign Origin or Host, missing secret; Electron: a foreign frame);
 * `unavailable`: the desk is not open for work (not enrolled yet, revoked: client/src/setup);
 * `overlap`: a booking over another of the same vet, without `override` (the error's `overlaps` name them)
 * `signed_out`: a change needs a signed-in staff member (the clinic's staff have PINs) and nobody is
 */
export type ApiErrorCode =
  | "validation"
  | "not_found"
  | "rejected"
  | "bad_request"
  | "forbidden"
  | "unavailable"
  | "internal"
  | "overlap"
  | "signed_out"

export class DeskError extends Error {
  readonly code: ApiErrorCode
  readonly fields: FieldError[] | undefined
  /** code "overlap": the bookings in the way */
  readonly overlaps: OverlapView[] | undefined
  constructor(code: ApiErrorCode, message: string, fields?: FieldError[], overlaps?: OverlapView[]) {
    super(message)
    this.name = "DeskError"
    this.code = code
    this.fields = fields
    this.overlaps = overlaps
  }
}

/** The async form every transport offers: a call per command. */
export type DeskApi = {
  [C in DeskCommand]: (...args: Parameters<DeskHandlers[C]>) => Promise<ReturnType<DeskHandlers[C]>>
}
