import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  formatWorkingHours,
  hashPin,
  isPin,
  isPinHash,
  parseWorkingHours,
  verifyPin,
  workingHoursProblem,
  type WorkingHours,
  type WorkingSpan,
} from "@vetsync/shared"

/**
 * PINs and working hours, both ways: honest input (generated PINs, working hours written the way
 * `vetsync staff add --hours` documents them) must pass, and broken input must be refused.
 */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const params = (n: number) => ({
  seed: SEED,
  numRuns: Math.max(1, Math.round(n * Number(process.env.VETSYNC_FC_RUNS ?? 1))),
})

/** cheap scrypt for the many-run properties; the real cost is checked once below */
const CHEAP = { N: 1024, r: 8, p: 1 }
const pin = fc.stringMatching(/^\d{4,8}$/)
const notPin = fc.oneof(
  fc.stringMatching(/^\d{0,3}$/),
  fc.stringMatching(/^\d{9,12}$/),
  fc
    .tuple(fc.stringMatching(/^\d{2,4}$/), fc.constantFrom("a", " ", "-", "١", "x"), fc.stringMatching(/^\d{2,3}$/))
    .map(([a, b, c]) => a + b + c),
)

describe("PIN", () => {
  it("4 to 8 digits are PINs; anything else is not", () => {
    fc.assert(
      fc.property(pin, p => isPin(p)),
      params(200),
    )
    fc.assert(
      fc.property(notPin, p => !isPin(p)),
      params(200),
    )
  })

  it("a hash verifies its own PIN and no other", async () => {
    await fc.assert(
      fc.asyncProperty(pin, pin, async (a, b) => {
        const h = await hashPin(a, CHEAP)
        expect(isPinHash(h)).toBe(true)
        expect(await verifyPin(a, h)).toBe(true)
        expect(await verifyPin(b, h)).toBe(a === b)
      }),
      params(30),
    )
  })

  it("two hashes of one PIN differ (salted), and the parameters are in the string", async () => {
    const [a, b] = [await hashPin("1234", CHEAP), await hashPin("1234", CHEAP)]
    expect(a).not.toBe(b)
    expect(a.startsWith("scrypt$1024$8$1$")).toBe(true)
    expect(await verifyPin("1234", b)).toBe(true)
  })

  it("the default cost is scrypt N=16384 and still verifies", async () => {
    const h = await hashPin("20261201")
    expect(h.startsWith("scrypt$16384$8$1$")).toBe(true)
    expect(await verifyPin("20261201", h)).toBe(true)
    expect(await verifyPin("20261202", h)).toBe(false)
  })

  it("refuses to hash a non-PIN, and a tampered or malformed hash verifies nothing", async () => {
    await fc.assert(
      fc.asyncProperty(notPin, async p => {
        await expect(hashPin(p, CHEAP)).rejects.toThrow(/4 to 8 digits/)
      }),
      params(20),
    )
    const h = await hashPin("4321", CHEAP)
    const parts = h.split("$")
    const flipped = parts
      .slice(0, 5)
      .concat((parts[5] as string).replace(/^./, c => (c === "A" ? "B" : "A")))
      .join("$")
    for (const bad of [flipped, "", "4321", "scrypt$1000$8$1$abc$def", h.replace("$1024$", "$4194304$")]) {
      expect(await verifyPin("4321", bad)).toBe(false)
    }
  })
})

const time = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) })
const hhmm = (t: { h: number; m: number }): string => `${String(t.h).padStart(2, "0")}:${String(t.m).padStart(2, "0")}`
/** a day's spans: sorted, non-overlapping minute marks turned into HH:MM spans */
const spans = fc
  .uniqueArray(fc.integer({ min: 0, max: 23 * 60 + 59 }), { minLength: 2, maxLength: 6 })
  .map(ms => [...ms].sort((a, b) => a - b))
  .map(ms => {
    const out: WorkingSpan[] = []
    for (let i = 0; i + 1 < ms.length; i += 2) {
      const [a, b] = [ms[i] as number, ms[i + 1] as number]
      out.push({ from: hhmm({ h: Math.floor(a / 60), m: a % 60 }), to: hhmm({ h: Math.floor(b / 60), m: b % 60 }) })
    }
    return out
  })
const hours: fc.Arbitrary<WorkingHours> = fc
  .subarray(["1", "2", "3", "4", "5", "6", "7"] as const)
  .chain(days => fc.tuple(fc.constant(days), fc.array(spans, { minLength: days.length, maxLength: days.length })))
  .map(([days, ss]) => Object.fromEntries(days.map((d, i) => [d, ss[i] as WorkingSpan[]])) as WorkingHours)

describe("working hours", () => {
  it("the documented example", () => {
    expect(parseWorkingHours("1-5 09:00-18:00; 6 10:00-14:00")).toEqual({
      ok: true,
      value: {
        "1": [{ from: "09:00", to: "18:00" }],
        "2": [{ from: "09:00", to: "18:00" }],
        "3": [{ from: "09:00", to: "18:00" }],
        "4": [{ from: "09:00", to: "18:00" }],
        "5": [{ from: "09:00", to: "18:00" }],
        "6": [{ from: "10:00", to: "14:00" }],
      },
    })
    expect(parseWorkingHours("")).toEqual({ ok: true, value: {} })
    expect(parseWorkingHours("1,3 09:00-13:00, 14:00-18:00").ok).toBe(true)
  })

  it("honest hours, written out, parse back to themselves and pass the validator", () => {
    fc.assert(
      fc.property(hours, h => {
        expect(workingHoursProblem(h)).toBeNull()
        expect(parseWorkingHours(formatWorkingHours(h))).toEqual({ ok: true, value: h })
      }),
      params(300),
    )
  })

  it("refuses reversed or empty spans, bad times, unknown days, overlaps and a day given twice", () => {
    const bad = fc.oneof(
      fc
        .tuple(time, time)
        .filter(([a, b]) => a.h * 60 + a.m >= b.h * 60 + b.m)
        .map(([a, b]) => `1 ${hhmm(a)}-${hhmm(b)}`),
      fc.integer({ min: 24, max: 99 }).map(h => `2 ${h}:00-${h}:30`),
      fc.integer({ min: 60, max: 99 }).map(m => `3 09:${m}-18:00`),
      fc.constantFrom("0", "8", "9", "7-1", "пн", "1-", "-5").map(d => `${d} 09:00-18:00`),
      fc
        .tuple(time, fc.integer({ min: 2, max: 120 }))
        .filter(([t]) => t.h < 21)
        .map(([t, len]) => {
          const start = t.h * 60 + t.m
          const mid = start + Math.floor(len / 2)
          const f = (n: number) => hhmm({ h: Math.floor(n / 60), m: n % 60 })
          return `4 ${f(start)}-${f(start + len)} ${f(mid)}-${f(start + len + 30)}`
        }),
      fc.constantFrom("1-5 09:00-18:00; 5 10:00-12:00", "6", "1 9:00-18:00", "1 09:00 18:00"),
    )
    fc.assert(
      fc.property(bad, text => {
        expect(parseWorkingHours(text).ok, text).toBe(false)
      }),
      params(300),
    )
  })

  it("the validator refuses what the parser would not write", () => {
    for (const v of [
      null,
      [],
      { "8": [] },
      { "1": "09:00-18:00" },
      { "1": [{ from: "18:00", to: "09:00" }] },
      { "1": [{ from: 9 }] },
    ])
      expect(workingHoursProblem(v), JSON.stringify(v)).not.toBeNull()
  })
})
