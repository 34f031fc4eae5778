import { timingSafeEqual } from "node:crypto"
import type * as http from "node:http"

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"])

/**
 * `/metrics` is for the operator: loopback clients, or the metrics token (VETSYNC_METRICS_TOKEN)
 * as a bearer. The relay and the bridge apply the same rule.
 */
export const metricsAllowed = (req: http.IncomingMessage, token: string | undefined): boolean => {
  const given = Buffer.from(req.headers.authorization ?? "")
  const wanted = Buffer.from(`Bearer ${token ?? ""}`)
  if (token && given.length === wanted.length && timingSafeEqual(given, wanted)) return true
  return LOOPBACK.has(req.socket.remoteAddress ?? "")
}
