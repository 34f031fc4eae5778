import type { ImmutableString } from "@automerge/automerge"
import type { ClinicProfile } from "../schema/profile.js"
import type { FiscalState, PaymentKind } from "../schema/payments.js"
import type { AppointmentStatus, InvoiceStatus, ItemKind, Sex } from "../schema/records.js"

/**
 * Shapes of the Automerge documents. Identifiers, phones, codes and names are
 * ImmutableString (last writer wins, conflicts are reported whole); notes are
 * collaborative text (plain string in Automerge 3); money is integer kopecks.
 */
export type Imm = ImmutableString

export interface MetaDoc {
  id: Imm
  createdAt: Imm
  updatedAt: Imm
  createdBy: Imm
  updatedBy: Imm
  deleted: boolean
}

export interface ClientDoc extends MetaDoc {
  name: Imm
  phone: Imm
  email: Imm
  address: Imm
  notes: string
}

export interface PatientDoc extends MetaDoc {
  clientId: Imm
  name: Imm
  species: Imm
  breed: Imm
  sex: Sex
  birthDate: Imm
  chip: Imm
  notes: string
}

export interface AppointmentDoc extends MetaDoc {
  clientId: Imm
  patientId: Imm
  vet: Imm
  /** the vet's staff id; absent in records booked before the roster */
  vetId?: Imm
  start: Imm
  end: Imm
  reason: string
  status: AppointmentStatus
}

export interface InvoiceLineDoc {
  id: Imm
  itemId: Imm
  code: Imm
  name: Imm
  kind: ItemKind
  price: number
  qtyMilli: number
  total: number
}

export interface InvoiceDoc extends MetaDoc {
  number: Imm
  clientId: Imm
  patientId: Imm
  vet: Imm
  issuedAt: Imm
  status: InvoiceStatus
  paidAt: Imm
  lines: InvoiceLineDoc[]
  total: number
  /** absent on invoices written before voids carried a reason */
  voidReason?: Imm
  voidedAt?: Imm
  voidedBy?: Imm
  voidedStaff?: Imm
}

export interface RefundLineDoc {
  lineId: Imm
  qtyMilli: number
  amount: number
}

/** A payment or refund (schema/payments.ts), in its invoice's month document under "<invoiceId>:<paymentId>". */
export interface PaymentDoc {
  id: Imm
  invoiceId: Imm
  kind: PaymentKind
  method: Imm
  amount: number
  tendered: number
  change: number
  lines: RefundLineDoc[]
  reason: Imm
  at: Imm
  desk: Imm
  staff: Imm
  fiscalState: FiscalState
  fiscalNumber: Imm
  fiscalSign: Imm
}

export interface PriceItemDoc {
  id: Imm
  code: Imm
  name: Imm
  kind: ItemKind
  price: number
  unit: Imm
  active: boolean
  updatedAt: Imm
  /** a VatRate; absent in items published before it existed */
  vat?: Imm
}

export interface RejectionDoc {
  /** "invoices/<uuid>" */
  key: Imm
  reason: Imm
  at: Imm
  /** the record's updatedAt when it was rejected: a later edit supersedes the rejection */
  recordUpdatedAt: Imm
}

export const DOC_KINDS = [
  "root",
  "clients",
  "appointments",
  "invoices",
  "pricelist",
  "rejections",
  "profile",
  "staff",
] as const
export type DocKind = (typeof DOC_KINDS)[number]

interface Base<K extends DocKind> {
  v: number
  kind: K
  clinicId: Imm
}
export interface RootDoc extends Base<"root"> {
  /** keys of the shards and month partitions that exist ("clients/17", "appointments/2026-11"); a set: every value is true */
  partitions: Record<string, boolean>
  shards: number
}
export interface ClientShardDoc extends Base<"clients"> {
  shard: number
  clients: Record<string, ClientDoc>
  patients: Record<string, PatientDoc>
}
export interface AppointmentsDoc extends Base<"appointments"> {
  month: Imm
  appointments: Record<string, AppointmentDoc>
}
export interface InvoicesDoc extends Base<"invoices"> {
  month: Imm
  invoices: Record<string, InvoiceDoc>
  /**
   * Payments and refunds by "<invoiceId>:<paymentId>". Absent from the genesis: created by one
   * deterministic change on top of it (paymentsContainer.ts), the same on every desk.
   */
  payments?: Record<string, PaymentDoc>
}
export interface PriceListDoc extends Base<"pricelist"> {
  items: Record<string, PriceItemDoc>
  publishedAt: Imm
}
export interface RejectionsDoc extends Base<"rejections"> {
  rejections: Record<string, RejectionDoc>
}

/** The clinic's profile (see ClinicProfile), as the bridge publishes it: one ImmutableString per field. */
export interface ProfileDoc extends Base<"profile"> {
  profile: Partial<Record<keyof ClinicProfile, Imm>>
  /** when the bridge last wrote it; "" while only the genesis exists (no profile published yet) */
  publishedAt: Imm
  /**
   * The clinic's revoked desks (the registry's), desk id -> when revoked (ISO); desks refuse them
   * as LAN peers. Absent until the bridge first publishes it.
   */
  revokedDesks?: Record<string, Imm>
}

/** One staff member as the bridge publishes it (see StaffMember); working hours as JSON text. */
export interface StaffMemberDoc {
  id: Imm
  name: Imm
  role: Imm
  active: boolean
  pinHash: Imm
  /** JSON of WorkingHours */
  workingHours: Imm
}

/** The clinic's staff (see StaffMember), as the bridge publishes it from PostgreSQL. */
export interface StaffDoc extends Base<"staff"> {
  members: Record<string, StaffMemberDoc>
  /** when the bridge last wrote it; "" while only the genesis exists */
  publishedAt: Imm
}

export interface DocByKind {
  root: RootDoc
  clients: ClientShardDoc
  appointments: AppointmentsDoc
  invoices: InvoicesDoc
  pricelist: PriceListDoc
  rejections: RejectionsDoc
  profile: ProfileDoc
  staff: StaffDoc
}
export type AnyClinicDoc = DocByKind[DocKind]

/** Documents written only by the server (bridge); the relay drops desk changes to them. */
export const SERVER_OWNED_KINDS: readonly DocKind[] = ["pricelist", "rejections", "profile", "staff"]
