import type { DeskCommand, DeskEvent, DeskHandlers } from "../core/api.js"

/**
 * The desk process before (and around) its identity: the small "setup" API the first-run,
 * revoked and other-clinic screens call, over the same transports and the same guard as the desk
 * API (docs/security.md, "The setup API"). It never answers with a credential or a token.
 */

/**
 * - `starting`: deciding (reading the credential, asking the relay whether it enrols desks)
 * - `needs-enrolment`: no identity yet, or the relay wants one this desk does not have: the first-run screen
 * - `enrolling`: a token is being exchanged at the relay
 * - `other-clinic`: a token enrolled this desk into another clinic than its data's: staff decide
 * - `ready`: the desk is open (it may still be downloading the clinic)
 * - `revoked`: the relay no longer accepts this desk's credential
 */
export type SetupPhase = "starting" | "needs-enrolment" | "enrolling" | "other-clinic" | "ready" | "revoked"

/** Why an enrolment attempt failed; the UI explains each in its language. */
export type EnrolFailureCode =
  /** the address is not a relay address (checked before anything is sent) */
  | "invalid-address"
  /** the token is not an enrolment token (checked before anything is sent) */
  | "invalid-token"
  /** no connection: name not found, refused, network down */
  | "unreachable"
  | "timeout"
  /** the relay's TLS certificate could not be verified */
  | "tls"
  /** something answered, but not a VetSync relay (a web page, a redirect) */
  | "not-a-relay"
  /** a relay without a desk registry (development): desks do not enrol there */
  | "no-registry"
  /** the relay did not take the token: unknown, used, expired or revoked */
  | "token-refused"
  /** the relay failed (5xx) */
  | "relay-error"
  /** this desk failed (storing the credential, opening its data) */
  | "internal"

export interface EnrolFailure {
  code: EnrolFailureCode
  /** which field it is about (shown next to it) */
  field: "relay" | "token" | null
  /** a finer reason for invalid-address / invalid-token (relayAddress.ts), else the system's own words (English) */
  detail: string
}

/** The data already in the desk's data directory, when a token enrolled it into another clinic. */
export interface ClinicMismatch {
  /** the clinic the data directory belongs to */
  dataClinicId: string
  /** records written on this desk the relay has not acknowledged (kept when moved aside) */
  waitingRecords: number
  /** the clinic and desk the new credential is for */
  newClinicId: string
  newDeskId: string
  /** where "move aside" puts the old data */
  moveTo: string
}

export interface SetupStatus {
  phase: SetupPhase
  /** the relay address the screen starts with (the credential's, --server's or the last one tried) */
  relay: string | null
  /** the desk's identity while it has one (also when revoked) */
  deskId: string | null
  clinicId: string | null
  /** records on this computer the relay has not acknowledged (revoked, other-clinic) */
  waitingRecords: number
  /** revoked: since when (ISO) */
  since: string | null
  /** the last enrolment attempt's failure, until the next attempt */
  failure: EnrolFailure | null
  mismatch: ClinicMismatch | null
  /** the data directory, so staff can tell the IT administrator which desk this is */
  dataDir: string
}

export interface EnrolArgs {
  /** the relay's address as staff typed it (relayAddress.ts parses it) */
  relay: string
  /** the one-time token printed by `vetsync desks add` */
  token: string
}

export interface SetupHandlers {
  "setup.status": () => SetupStatus
  /** answers once the attempt is over: `ready`, `other-clinic`, or the same phase with `failure` */
  "setup.enrol": (args: EnrolArgs) => SetupStatus
  /** other-clinic only, with the data's clinic as shown to staff: moves the old data aside and opens the new clinic */
  "setup.moveAside": (args: { dataClinicId: string }) => SetupStatus
  /** other-clinic only: keeps the old data; the new credential is thrown away (its token is used up) */
  "setup.keepData": () => SetupStatus
}

export type SetupCommand = keyof SetupHandlers

/** Everything the desk process answers: the desk API and the setup API. */
export type HostHandlers = DeskHandlers & SetupHandlers
export type HostCommand = DeskCommand | SetupCommand

/** What the desk process pushes to its UI: the desk's events, and the setup phase whenever it changes. */
export type HostEvent = DeskEvent | { type: "setup"; setup: SetupStatus }
