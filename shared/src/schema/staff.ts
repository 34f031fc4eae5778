/**
 * The clinic's staff: kept in PostgreSQL (`vetsync staff add`), published by the bridge to the
 * desks as the server-owned `staff` document. Vets are who appointments are booked with; every
 * member may sign in at a desk with a short PIN, checked offline against `pinHash`.
 */
export type StaffRole = "vet" | "reception" | "admin"

export const STAFF_ROLES = ["vet", "reception", "admin"] as const satisfies readonly StaffRole[]

/** "HH:MM" in the clinic's time zone; `to` is after `from` */
export interface WorkingSpan {
  from: string
  to: string
}

/** ISO weekday ("1" Monday … "7" Sunday) → the spans worked that day; a missing day is a day off */
export type WorkingHours = Partial<Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", WorkingSpan[]>>

export interface StaffMember {
  /** stable id, never reused ("st-…" or a uuid) */
  id: string
  /** as shown on screens and invoices ("Петрова А. В.") */
  name: string
  role: StaffRole
  /** false once the member has left: kept so history still names them, never offered for booking or sign-in */
  active: boolean
  /** the PIN's slow hash (scrypt, with its parameters and salt in the string); "" = no PIN set */
  pinHash: string
  /** vets: when they see patients; others may leave it empty */
  workingHours: WorkingHours
}

/** What a desk may show of a staff member (never the PIN hash). */
export type StaffView = Omit<StaffMember, "pinHash">
