import type { IncomingMessage } from "node:http"
import type { DeskReport, PeerIdentity, PeerRole } from "@vetsync/shared/net"
import type { LanCertificates } from "@vetsync/shared/lan"

/** Who is on the other end of a connection: a desk of one clinic, or a service (the bridge) seeing all clinics. */
export type Role = PeerRole
export type Identity = PeerIdentity

/** A desk's credential, issued once for a one-time enrolment token (POST /enrol). */
export interface EnrolResult {
  deskId: string
  clinicId: string
  /** the desk's code in its clinic, unique there (invoice numbers) */
  deskCode: string
  credential: string
  /** the desk's LAN certificate and its clinic's CA, when it sent a public key (issue 15) */
  lan?: LanCertificates
}

/** A desk or service that lost its access. */
export interface Revoked {
  role: Role
  /** desk id or service name */
  id: string
}

/**
 * Decides who an HTTP request (a WebSocket upgrade or a snapshot download) comes from.
 * Returns null to refuse it (401). May be asynchronous, so an authenticator backed by
 * PostgreSQL (enrolled desks and their credentials) plugs in without changing the relay.
 */
export interface Authenticator {
  authenticate(req: IncomingMessage): Identity | null | Promise<Identity | null>
  /** Exchanges a one-time enrolment token for a credential (POST /enrol); absent: /enrol answers 404. */
  enrol?(token: string, lanPublicKey?: string): Promise<EnrolResult | null>
  /**
   * Signs an enrolled desk's LAN public key (P-256 SPKI PEM) with its clinic's CA (POST
   * /lan-certificate, for desks enrolled before LAN sync); null for a revoked or unknown desk.
   */
  lanCertificate?(deskId: string, lanPublicKey: string): Promise<LanCertificates | null>
  /** Registers the relay's callback for revocations: it disconnects the desk or service at once. */
  onRevoked?(listener: (who: Revoked) => void): void
  /**
   * An authoritative registry of clinics: every clinic that exists, so the relay knows every
   * clinic's documents before any of its desks connects, and a desk can write only into documents
   * of its own clinic's layout (never claim an unknown id). Absent: clinics become known when
   * their first desk connects, and other ids go to the first clinic that sends them (development).
   */
  clinics?(): Promise<string[]>
  /** Registers the relay's callback for clinics added to the registry (and those it missed while its listener was down). */
  onClinic?(listener: (clinicId: string) => void): void
  /** A connected desk or service sent a document message (its "last sync"); must not throw. */
  seen?(identity: Identity): void
  /** Whether the registry behind it answers (reachable, migrated); absent: always ready. */
  ready?(): Promise<{ ok: true } | { ok: false; reason: string }>
  /** Keeps a desk's report (the node registry, PostgreSQL); absent: the relay holds it in memory only. */
  report?(identity: Identity, report: DeskReport, receivedAt: Date, clockOffsetMs: number): Promise<void>
  close?(): Promise<void>
}
