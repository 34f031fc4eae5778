import type { IncomingHttpHeaders } from "node:http"
import { isIP } from "node:net"
import type { ApiErrorCode } from "../../core/api.js"
import { secretMatches } from "./deskApiSecret.js"

/**
 * Who may call the desk API (docs/security.md, "The desk's own API"). Each check answers why a
 * request is refused, or null. Order in DeskWebServer: Host, Origin, method, content type,
 * secret, body size; nothing is dispatched (so nothing is written) before all of them pass.
 */
export interface Refusal {
  status: number
  code: ApiErrorCode
  message: string
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1"])

const hostName = (host: string): string => host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "").toLowerCase()

const isLoopback = (address: string): boolean => LOOPBACK_NAMES.has(address) || address.startsWith("127.")

/**
 * DNS rebinding: a page of evil.example whose name is made to resolve to 127.0.0.1 is same-origin
 * with whatever answers there, so the Host it sends ("evil.example:4800") is the tell. On loopback
 * only loopback names are served; bound beyond loopback, IP literals too (rebinding needs a name)
 * and the names in `allowedHosts`.
 */
export const hostRefusal = (host: string | undefined, boundAddress: string, allowedHosts: readonly string[] = []): Refusal | null => {
  const name = hostName(host ?? "")
  const allowed =
    name !== "" &&
    (LOOPBACK_NAMES.has(name) ||
      allowedHosts.some(h => h.toLowerCase() === name) ||
      (!isLoopback(boundAddress) && isIP(name) !== 0))
  return allowed ? null : { status: 421, code: "forbidden", message: "unexpected Host" }
}

/**
 * Cross-origin writes. Browsers send Origin on every cross-origin request and on every POST
 * (fetch, XMLHttpRequest and form submissions alike), and leave it out only on same-origin GETs
 * and navigations. So: an Origin must be exactly the desk's own (`http://` + the Host the request
 * was sent to), "null" (sandboxed frames, file: and data: pages) is foreign, and a request without
 * Origin is not a browser's cross-site write: it is a local tool, which still needs the secret.
 * Sec-Fetch-Site, where sent, must not say cross-site or same-site (another port of 127.0.0.1 is
 * same-site but not same-origin).
 */
export const originRefusal = (headers: IncomingHttpHeaders): Refusal | null => {
  const site = headers["sec-fetch-site"]
  if (site === "cross-site" || site === "same-site") return { status: 403, code: "forbidden", message: "cross-origin request" }
  const origin = headers.origin
  if (origin === undefined) return null
  const own = `http://${(headers.host ?? "").toLowerCase()}`
  return origin.toLowerCase() === own ? null : { status: 403, code: "forbidden", message: `origin ${origin} may not call the desk API` }
}

/** Form posts (urlencoded, multipart, text/plain) are simple requests; only application/json is taken. */
export const contentTypeRefusal = (headers: IncomingHttpHeaders): Refusal | null => {
  const type = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase()
  return type === "application/json"
    ? null
    : { status: 415, code: "bad_request", message: "the desk API takes application/json only" }
}

/** The per-start secret (deskApiSecret.ts). */
export const secretRefusal = (presented: string | undefined, secret: string): Refusal | null =>
  secretMatches(presented, secret) ? null : { status: 403, code: "forbidden", message: "missing or wrong desk API secret" }
