import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import type * as http from "node:http"
import { bearerOf } from "../registry/tokens.js"

/** The cookie a signed-in administrator's browser holds (its expiry and a MAC over it, never the token). */
export const ADMIN_COOKIE = "vetsync_admin"

/** The label the session key is derived under: another use of the admin token never makes the same key. */
const SESSION_KEY_LABEL = "vetsync admin session cookie v1"
/** `v1.<expiry, ms since the epoch>.<HMAC-SHA256 of "v1.<expiry>", base64url>` */
const SESSION = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/

const sha256 = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/**
 * Who may read the admin page: a request presenting `Authorization: Bearer <admin token>`, or a
 * browser signed in through the form (a session cookie). Tokens are compared in constant time
 * (their SHA-256, so the length leaks nothing either). Sessions are stateless: the cookie carries
 * its expiry and an HMAC-SHA256 over it, keyed by HMAC-SHA256(admin token, a fixed label). Any relay
 * with the same token accepts it, a restarted relay too; another token (a rotated one) refuses every
 * cookie made under the old one. The MAC is compared in constant time. Token checks (bearer or
 * sign-in) are limited to `maxFailures` failed ones a minute, per relay; sessions still work.
 * Signing out clears the browser's cookie and refuses that cookie on this relay until it expires
 * (another relay behind the same address accepts a copied cookie until then; rotating the token ends
 * every session everywhere).
 */
export class AdminAccess {
  readonly #tokenHash: Buffer
  readonly #sessionKey: Buffer
  readonly #sessionMs: number
  readonly #maxFailures: number
  #failures: number[] = []
  /** cookies signed out on this relay -> their expiry (ms), kept until then */
  readonly #signedOut = new Map<string, number>()

  constructor(token: string, opts: { sessionMs?: number; maxFailures?: number } = {}) {
    this.#tokenHash = sha256(token)
    this.#sessionKey = createHmac("sha256", token).update(SESSION_KEY_LABEL, "utf8").digest()
    this.#sessionMs = opts.sessionMs ?? 8 * 3600_000
    this.#maxFailures = opts.maxFailures ?? 20
  }

  get sessionSeconds(): number {
    return Math.floor(this.#sessionMs / 1000)
  }

  /** Whether `given` is the admin token (constant time). */
  tokenMatches(given: string): boolean {
    return timingSafeEqual(sha256(given), this.#tokenHash)
  }

  /** Too many failed attempts in the last minute: refuse without checking. */
  throttled(now = Date.now()): boolean {
    this.#failures = this.#failures.filter(t => now - t < 60_000)
    return this.#failures.length >= this.#maxFailures
  }

  failed(now = Date.now()): void {
    this.#failures.push(now)
  }

  /**
   * How the request is allowed in: by its session cookie, by its bearer token, or not at all
   * (a wrong bearer token counts as a failed attempt; while throttled, bearer tokens are not checked).
   */
  allowed(req: http.IncomingMessage, now = Date.now()): "bearer" | "session" | "throttled" | null {
    if (this.sessionValid(sessionOf(req.headers.cookie), now)) return "session"
    const bearer = bearerOf(req.headers.authorization)
    if (bearer === undefined) return null
    if (this.throttled(now)) return "throttled"
    if (this.tokenMatches(bearer)) return "bearer"
    this.failed(now)
    return null
  }

  /** A new session's cookie value: valid until `now` + the session's length. */
  open(now = Date.now()): string {
    const body = `v1.${Math.floor(now) + this.#sessionMs}`
    return `${body}.${this.#mac(body).toString("base64url")}`
  }

  /**
   * Whether `value` is a session cookie made under this token (its MAC, in constant time), not yet
   * expired at `now`, and expiring no later than a session opened now would.
   */
  sessionValid(value: string | undefined, now = Date.now()): boolean {
    const m = SESSION.exec(value ?? "")
    if (!m?.[1] || !m[2]) return false
    const given = Buffer.from(m[2], "base64url")
    // base64url of 32 bytes is 43 characters; a 43rd character with stray low bits decodes the same:
    // only the canonical spelling is accepted
    if (given.length !== 32 || given.toString("base64url") !== m[2]) return false
    if (!timingSafeEqual(given, this.#mac(`v1.${m[1]}`))) return false
    if (this.#signedOut.has(value ?? "")) return false
    const expires = Number(m[1])
    return expires > now && expires <= now + this.#sessionMs
  }

  /** Signs a session out: its cookie is refused here from now on (remembered until it would expire). */
  close(value: string | undefined, now = Date.now()): void {
    for (const [v, expires] of this.#signedOut) if (expires <= now) this.#signedOut.delete(v)
    const m = value === undefined ? null : SESSION.exec(value)
    if (value !== undefined && m?.[1] && this.sessionValid(value, now)) this.#signedOut.set(value, Number(m[1]))
  }

  #mac(body: string): Buffer {
    return createHmac("sha256", this.#sessionKey).update(body, "utf8").digest()
  }
}

/** The admin session cookie's value in a Cookie header. */
export const sessionOf = (cookie: string | undefined): string | undefined => {
  for (const part of (cookie ?? "").split(";")) {
    const eq = part.indexOf("=")
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_COOKIE) {
      const v = part.slice(eq + 1).trim()
      return SESSION.test(v) ? v : undefined
    }
  }
  return undefined
}
