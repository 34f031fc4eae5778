import type { BackoffOptions } from "./Backoff.js"

/**
 * Failover's timing, in one place: how long a clinic's lease lasts and how often its holder renews
 * it, and how desks and bridges come back after their relay vanished. What a relay dies of decides
 * the figure (issue 13: a dead relay's clinics served again, and projected, within 10 s):
 *
 *   kill → its leases expire (at most the lease's length after its last renewal)
 *        → the first desk or bridge of each clinic to come back through the shared address makes
 *          another relay take the lease (it retries at DEAD_RELAY_RETRY's pace meanwhile: the relay
 *          it is sent to refuses the connection)
 *        → the others join that relay at the same pace; the bridge projects the edits.
 *
 * A clean stop (SIGTERM) releases its leases once its documents are written: the clinics move at
 * the next retry, not a lease later.
 */

/**
 * A relay's lease of a clinic, by default (VETSYNC_LEASE_MS): the longest a dead relay keeps its
 * clinics. Renewed every RELAY_LEASE_RENEW_PARTS-th of it, so a live relay keeps its clinics through
 * a stall (event loop, PostgreSQL) of up to four fifths of it: 4 s, as with 6 s renewed every 2 s.
 */
export const RELAY_LEASE_MS = 5_000

/** A relay renews its leases this many times per lease length (1 s for the default 5 s). */
export const RELAY_LEASE_RENEW_PARTS = 5

/** The relay's renewal interval for a lease of `ttlMs`. */
export const relayLeaseRenewMs = (ttlMs: number): number => Math.round(ttlMs / RELAY_LEASE_RENEW_PARTS)

/** The shortest and longest lease an admin may set (VETSYNC_LEASE_MS): a renewal stays ≥ 400 ms apart. */
export const RELAY_LEASE_MIN_MS = 2_000
export const RELAY_LEASE_MAX_MS = 120_000

/**
 * A bridge's lease of a clinic it projects, and how often the bridges share the clinics out and
 * renew (ClinicShare): a dead bridge's clinics are projected by another 6 s after its last renewal.
 */
export const BRIDGE_LEASE_MS = 6_000
export const BRIDGE_SHARE_ROUND_MS = 2_000

/** A desk's reconnection after its relay connection closed (the adapter's default back-off). */
export const DESK_RECONNECT: BackoffOptions = { minMs: 250, maxMs: 30_000 }

/** A bridge's reconnection of a clinic's relay connection: never more than 2 s apart. */
export const BRIDGE_RECONNECT: BackoffOptions = { minMs: 250, maxMs: 2_000 }

/**
 * The relay a desk (or the bridge) was sent to, holder of its clinic's lease, refused the
 * connection: it is dead, and its lease runs out soon. Come back through the shared address at
 * this pace (125–250 ms, then up to 0.5–1 s, with jitter so a clinic's desks do not come as one),
 * so the clinic moves within a second of the lease's expiry. For DEAD_RELAY_FAST_FOR_MS at most:
 * a holder this peer cannot reach that is alive (a bad VETSYNC_RELAY_URL) is then retried at the
 * ordinary pace.
 */
export const DEAD_RELAY_RETRY: BackoffOptions = { minMs: 250, maxMs: 1_000, jitter: 0.5 }
export const DEAD_RELAY_FAST_FOR_MS = 30_000
