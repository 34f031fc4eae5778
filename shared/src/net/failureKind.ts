/**
 * Why a connection attempt to the relay ended, as the desk's back-off sees it:
 * - "refused": the relay refused this peer (said why, closed 1008/1009): the long refused back-off;
 * - "relay": the relay answered and turned the desk away or closed on it (an HTTP status instead of
 *   the upgrade: 401, 404, 503 ...; a close frame: 1000, 1001, 1011, 1012 moved, 1013 overloaded),
 *   or something that may be a busy relay (the opening handshake timed out, TLS failed): the
 *   ordinary back-off, up to its ceiling (30 s);
 * - "network": nothing answered, or the connection was lost without a close frame (refused or
 *   reset TCP connection, no route, DNS failure, an OS connect time-out, a socket that went silent):
 *   a failed TCP connect costs the relay nothing, so the desk may try again soon (the network cap).
 */
export type FailureKind = "network" | "relay" | "refused"

export interface AttemptEnd {
  /** the relay said why and closed 1008/1009 (or a message was too large) */
  refused: boolean
  /** an HTTP response other than the upgrade came back (401, 503, a redirect not followed ...) */
  answered: boolean
  /** the WebSocket opened */
  opened: boolean
  /** the close code the socket ended with (1006: no close frame) */
  closeCode: number
  /** the socket error's code (ECONNREFUSED ...), if there was one */
  errorCode?: string | undefined
}

/** The OS's words for "no network to the relay": a retry costs the relay nothing. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
])

/** No close frame: the socket was reset or terminated (the watchdog) rather than closed by the relay. */
const ABNORMAL_CLOSURE = 1006

export const failureKind = (end: AttemptEnd): FailureKind => {
  if (end.refused) return "refused"
  if (end.answered) return "relay"
  if (end.opened) return end.closeCode === ABNORMAL_CLOSURE ? "network" : "relay"
  return end.errorCode !== undefined && NETWORK_CODES.has(end.errorCode) ? "network" : "relay"
}
