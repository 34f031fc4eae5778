import type { IncomingMessage } from "node:http"

export type Role = "desk" | "service"

/** Who is on the other end of a connection: a desk of one clinic, or a service (the bridge) seeing all clinics. */
export interface Identity {
  clinicId: string
  /** the desk id; for role "service" the service's name */
  deskId: string
  role: Role
}

/**
 * Decides who an HTTP request (a WebSocket upgrade or a snapshot download) comes from.
 * Returns null to refuse it (401). May be asynchronous, so an authenticator backed by
 * PostgreSQL (enrolled desks and their credentials) plugs in without changing the relay.
 */
export interface Authenticator {
  authenticate(req: IncomingMessage): Identity | null | Promise<Identity | null>
}
