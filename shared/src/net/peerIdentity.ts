export type PeerRole = "desk" | "service"

/**
 * Who is on the other end of a connection, as its credential (the relay) or its certificate (a
 * LAN peer) proves: a desk of one clinic, or a service (the bridge) seeing all clinics.
 */
export interface PeerIdentity {
  clinicId: string
  /** the desk id; for role "service" the service's name */
  deskId: string
  role: PeerRole
}
