import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Backoff, failureKind, ReconnectSchedule, type AttemptEnd, type FailureKind } from "../src/net/index.js"

const kinds = fc.constantFrom<FailureKind>("network", "relay", "refused")
/** a source of randomness from a recorded list of draws in [0, 1) */
const drawsFrom = (draws: number[]) => {
  let i = 0
  return () => draws[i++ % draws.length]!
}
const draws = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 })

describe("Backoff.next with a lower cap and its own jitter", () => {
  it("stays within [base * (1 - jitter), base], base = min(cap, maxMs, minMs * factor^n)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        draws,
        (minMs, maxMs, capMs, jitter, n, rs) => {
          const b = new Backoff({ minMs, maxMs, random: drawsFrom(rs) })
          for (let k = 0; k < n; k++) {
            const base = Math.min(capMs, maxMs, minMs * 2 ** k)
            const d = b.next(capMs, jitter)
            expect(d).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)))
            expect(d).toBeLessThanOrEqual(Math.ceil(base))
          }
          expect(b.attempt).toBe(n)
        },
      ),
    )
  })

  it("keeps its old schedule when called without arguments", () => {
    const b = new Backoff({ minMs: 250, maxMs: 30_000, random: () => 0.5 })
    expect(Array.from({ length: 9 }, () => b.next())).toEqual([188, 375, 750, 1500, 3000, 6000, 12000, 22500, 22500])
  })
})

describe("ReconnectSchedule", () => {
  it("never goes below or above each kind's bounds, whatever the order of failures", () => {
    fc.assert(
      fc.property(fc.array(kinds, { minLength: 1, maxLength: 60 }), draws, (sequence, rs) => {
        const s = new ReconnectSchedule({ backoff: { random: drawsFrom(rs) }, refusedBackoff: { random: drawsFrom(rs) } })
        for (const kind of sequence) {
          const { delayMs, kind: scheduled } = s.next(kind)
          expect(scheduled).toBe(kind)
          if (kind === "network") {
            expect(delayMs).toBeGreaterThanOrEqual(100)
            expect(delayMs).toBeLessThanOrEqual(2_000)
          } else if (kind === "relay") {
            expect(delayMs).toBeGreaterThanOrEqual(125)
            expect(delayMs).toBeLessThanOrEqual(30_000)
          } else {
            // the refused back-off: a minute, half of it random, up to 15 min; never the network's cap
            expect(delayMs).toBeGreaterThanOrEqual(30_000)
            expect(delayMs).toBeLessThanOrEqual(15 * 60_000)
          }
        }
      }),
    )
  })

  it("a refused peer never gets a short delay, however many network failures came before", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), draws, (networkFailures, rs) => {
        const s = new ReconnectSchedule({ backoff: { random: drawsFrom(rs) }, refusedBackoff: { random: drawsFrom(rs) } })
        for (let i = 0; i < networkFailures; i++) s.next("network")
        expect(s.next("refused").delayMs).toBeGreaterThan(s.networkMaxMs)
      }),
    )
  })

  it("network failures and relay answers share the counter: the relay's delay after a long outage is the long one", () => {
    const s = new ReconnectSchedule({ backoff: { random: () => 0.5 } })
    for (let i = 0; i < 10; i++) expect(s.next("network").delayMs).toBeLessThanOrEqual(2_000)
    // attempt 10: base min(30 s, 250 ms * 2^10) = 30 s, jitter 0.5
    expect(s.next("relay")).toEqual({ delayMs: 22_500, attempt: 11, kind: "relay" })
    s.reset()
    expect(s.next("relay").delayMs).toBe(188)
  })

  it("draws network delays over the whole window (full jitter), so desks that lost the relay together spread out", () => {
    const rs = Array.from({ length: 1_000 }, (_, i) => (i + 0.5) / 1_000)
    const s = new ReconnectSchedule({ backoff: { random: drawsFrom(rs) } })
    for (let i = 0; i < 5; i++) s.next("network") // past the growth: base = 2 s from attempt 3 on
    const delays = Array.from({ length: 1_000 }, () => s.next("network").delayMs)
    expect(Math.min(...delays)).toBe(100)
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(1_990)
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_000)
    // uniform over [0, 2 s] floored at 100 ms: every 200 ms slice above the floor holds about a tenth
    for (let lo = 200; lo < 2_000; lo += 200) {
      const inSlice = delays.filter(d => d >= lo && d < lo + 200).length
      expect(inSlice).toBeGreaterThan(80)
      expect(inSlice).toBeLessThan(120)
    }
  })

  it("never lets the network cap exceed the ordinary ceiling", () => {
    const s = new ReconnectSchedule({ backoff: { minMs: 5, maxMs: 40 }, networkMaxMs: 5_000 })
    expect(s.networkMaxMs).toBe(40)
    expect(s.networkMinMs).toBe(5)
  })
})

describe("failureKind", () => {
  const end = fc.record<AttemptEnd>({
    refused: fc.boolean(),
    answered: fc.boolean(),
    opened: fc.boolean(),
    closeCode: fc.constantFrom(1000, 1001, 1006, 1008, 1009, 1011, 1012, 1013),
    errorCode: fc.option(fc.constantFrom("ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPROTO", "CERT_HAS_EXPIRED"), {
      nil: undefined,
    }),
  })

  it("a refusal always counts as refused; a relay that answered or sent a close frame is never 'network'", () => {
    fc.assert(
      fc.property(end, e => {
        const kind = failureKind(e)
        if (e.refused) expect(kind).toBe("refused")
        else if (e.answered || (e.opened && e.closeCode !== 1006)) expect(kind).toBe("relay")
      }),
    )
  })

  it("sorts the failures an IT admin tells apart", () => {
    const before = { refused: false, answered: false, opened: false, closeCode: 1006 }
    for (const errorCode of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"])
      expect(failureKind({ ...before, errorCode })).toBe("network")
    // TLS trouble and a handshake that timed out may be a busy relay: the long back-off
    expect(failureKind({ ...before, errorCode: "CERT_HAS_EXPIRED" })).toBe("relay")
    expect(failureKind({ ...before, errorCode: undefined })).toBe("relay")
    // 401, 503 ... instead of the upgrade
    expect(failureKind({ ...before, answered: true, errorCode: "ECONNRESET" })).toBe("relay")
    // an open connection lost without a close frame (reset, the watchdog) vs. closed by the relay
    expect(failureKind({ ...before, opened: true, errorCode: "ECONNRESET" })).toBe("network")
    for (const closeCode of [1000, 1001, 1011, 1012, 1013]) expect(failureKind({ ...before, opened: true, closeCode })).toBe("relay")
    expect(failureKind({ ...before, opened: true, closeCode: 1008, refused: true })).toBe("refused")
  })
})
