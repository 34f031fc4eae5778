import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ADMIN_COOKIE, AdminAccess, sessionOf } from "../src/admin/AdminAccess.js"

const HOUR = 3600_000
const SESSION_MS = 8 * HOUR
const T0 = Date.parse("2026-12-02T04:00:00Z")
/** an admin token as `openssl rand -base64 32` makes it (VETSYNC_ADMIN_TOKEN: >= 20 characters, no spaces) */
const token = fc.stringMatching(/^[!-~]{20,64}$/)
/** a moment a sign-in happens, within a few years of T0 */
const moment = fc.integer({ min: T0 - 3 * 365 * 24 * HOUR, max: T0 + 3 * 365 * 24 * HOUR })
/** how long after its sign-in a cookie is presented, inside its 8 h */
const within = fc.integer({ min: 0, max: SESSION_MS - 1 })

describe("admin sessions: stateless cookies any relay with the same token accepts", () => {
  it("a cookie opened on relay A is accepted by relay B (and by A restarted) at any time within its 8 h", () => {
    fc.assert(
      fc.property(token, moment, within, (t, openedAt, after) => {
        const a = new AdminAccess(t)
        const cookie = a.open(openedAt)
        expect(sessionOf(`theme=dark; ${ADMIN_COOKIE}=${cookie}; other=1`)).toBe(cookie)
        const b = new AdminAccess(t)
        expect(b.sessionValid(cookie, openedAt + after)).toBe(true)
        expect(a.sessionValid(cookie, openedAt + after)).toBe(true)
      }),
    )
  })

  it("a cookie signed out on a relay is refused there from then on; a session opened later is not", () => {
    fc.assert(
      fc.property(token, moment, within, within, (t, openedAt, outAfter, checkAfter) => {
        const a = new AdminAccess(t)
        const cookie = a.open(openedAt)
        const out = openedAt + Math.min(outAfter, checkAfter)
        a.close(cookie, out)
        expect(a.sessionValid(cookie, openedAt + Math.max(outAfter, checkAfter))).toBe(false)
        // an honest new sign-in after it still works
        const next = a.open(out + 1)
        expect(next).not.toBe(cookie)
        expect(a.sessionValid(next, out + 1)).toBe(true)
      }),
    )
  })

  it("refuses a cookie at and after its expiry, and one dated further ahead than a session lasts", () => {
    fc.assert(
      fc.property(token, moment, fc.integer({ min: 0, max: 400 * 24 * HOUR }), (t, openedAt, late) => {
        const access = new AdminAccess(t)
        const cookie = access.open(openedAt)
        expect(access.sessionValid(cookie, openedAt + SESSION_MS + late)).toBe(false)
        // a clock set back: the cookie's expiry lies further ahead than any session opened now
        expect(access.sessionValid(cookie, openedAt - 1 - late)).toBe(false)
      }),
    )
  })

  it("refuses a cookie with any byte changed, added or taken away", () => {
    fc.assert(
      fc.property(
        token,
        moment,
        within,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("flip", "insert", "delete"),
        (t, openedAt, after, at, xor, how) => {
          const access = new AdminAccess(t)
          const cookie = Buffer.from(access.open(openedAt), "latin1")
          const i = at % cookie.length
          const changed =
            how === "flip"
              ? Buffer.concat([cookie.subarray(0, i), Buffer.from([(cookie[i] ?? 0) ^ xor]), cookie.subarray(i + 1)])
              : how === "insert"
                ? Buffer.concat([cookie.subarray(0, i), Buffer.from([xor]), cookie.subarray(i)])
                : Buffer.concat([cookie.subarray(0, i), cookie.subarray(i + 1)])
          const forged = changed.toString("latin1")
          expect(forged).not.toBe(cookie.toString("latin1"))
          expect(access.sessionValid(forged, openedAt + after)).toBe(false)
          // nor does the cookie header's reader hand it on, unless it is still well-formed (then the MAC
          // refuses it) or the byte was whitespace around the value (the header's own, trimmed: what
          // is handed on is then the honest cookie itself)
          const read = sessionOf(`${ADMIN_COOKIE}=${forged}`)
          if (read === cookie.toString("latin1")) expect(forged.trim()).toBe(read)
          else if (read !== undefined) expect(access.sessionValid(read, openedAt + after)).toBe(false)
        },
      ),
    )
  })

  it("refuses a later expiry written into an honest cookie (the MAC is over the expiry)", () => {
    fc.assert(
      fc.property(token, moment, fc.integer({ min: 1, max: 30 * 24 * HOUR }), (t, openedAt, more) => {
        const access = new AdminAccess(t)
        const [v, expiry, mac] = access.open(openedAt).split(".")
        const extended = `${v}.${Number(expiry) + more}.${mac}`
        expect(access.sessionValid(extended, openedAt + SESSION_MS + more - 1)).toBe(false)
        expect(access.sessionValid(extended, openedAt)).toBe(false)
      }),
    )
  })

  it("refuses every cookie made under another token: a rotated token signs everyone out", () => {
    fc.assert(
      fc.property(token, token, moment, within, (t1, t2, openedAt, after) => {
        fc.pre(t1 !== t2)
        const cookie = new AdminAccess(t1).open(openedAt)
        expect(new AdminAccess(t2).sessionValid(cookie, openedAt + after)).toBe(false)
      }),
    )
  })

  it("never carries the token, and keeps the failure limit for tokens", () => {
    fc.assert(
      fc.property(token, moment, (t, openedAt) => {
        expect(new AdminAccess(t).open(openedAt)).not.toContain(t)
      }),
    )
    const access = new AdminAccess("adm-7Yk2pQ9vR4sT1wX8zL3mN6", { maxFailures: 3 })
    for (let i = 0; i < 3; i++) {
      expect(access.throttled(T0 + i)).toBe(false)
      access.failed(T0 + i)
    }
    expect(access.throttled(T0 + 10)).toBe(true)
    // sessions keep working meanwhile
    expect(access.sessionValid(access.open(T0), T0 + 10)).toBe(true)
    expect(access.throttled(T0 + 60_003)).toBe(false)
  })
})
