import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import type * as http from "node:http"
import { bearerOf } from "../registry/tokens.js"

/** The cookie a signed-in administrator's browser holds (a random session id, never the token). */
export const ADMIN_COOKIE = "vetsync_admin"

const sha256 = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/**
 * Who may read the admin page: a request presenting `Authorization: Bearer <admin token>`, or a
 * browser signed in through the form (a session cookie). Tokens are compared in constant time
 * (their SHA-256, so the length leaks nothing either); sessions are kept in memory (a restarted
 * relay signs everyone out) by the SHA-256 of their id, for `sessionMs`. Token checks (bearer or
 * sign-in) are limited to `maxFailures` failed ones a minute, relay-wide; open sessions still work.
 */
export class AdminAccess {
  readonly #tokenHash: Buffer
  readonly #sessionMs: number
  readonly #maxFailures: number
  /** sha256(session id) in hex -> expiry (Date.now()) */
  readonly #sessions = new Map<string, number>()
  #failures: number[] = []

  constructor(token: string, opts: { sessionMs?: number; maxFailures?: number } = {}) {
    this.#tokenHash = sha256(token)
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
    const sid = sessionOf(req.headers.cookie)
    if (sid !== undefined) {
      const key = sha256(sid).toString("hex")
      const expires = this.#sessions.get(key)
      if (expires !== undefined && expires > now) return "session"
      if (expires !== undefined) this.#sessions.delete(key)
    }
    const bearer = bearerOf(req.headers.authorization)
    if (bearer === undefined) return null
    if (this.throttled(now)) return "throttled"
    if (this.tokenMatches(bearer)) return "bearer"
    this.failed(now)
    return null
  }

  /** A new session's id, for the cookie. */
  open(now = Date.now()): string {
    for (const [k, exp] of this.#sessions) if (exp <= now) this.#sessions.delete(k)
    // a bounded table: the oldest session goes first
    if (this.#sessions.size >= 1000) {
      const oldest = this.#sessions.keys().next().value
      if (oldest !== undefined) this.#sessions.delete(oldest)
    }
    const sid = randomBytes(32).toString("base64url")
    this.#sessions.set(sha256(sid).toString("hex"), now + this.#sessionMs)
    return sid
  }

  /** Ends the request's session, if it has one. */
  close(req: http.IncomingMessage): void {
    const sid = sessionOf(req.headers.cookie)
    if (sid !== undefined) this.#sessions.delete(sha256(sid).toString("hex"))
  }
}

/** The admin session id in a Cookie header. */
export const sessionOf = (cookie: string | undefined): string | undefined => {
  for (const part of (cookie ?? "").split(";")) {
    const eq = part.indexOf("=")
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_COOKIE) {
      const v = part.slice(eq + 1).trim()
      return /^[A-Za-z0-9_-]{43}$/.test(v) ? v : undefined
    }
  }
  return undefined
}
