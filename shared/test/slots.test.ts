import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  DEFAULT_WORKING_HOURS,
  SLOT_MINUTES,
  addDays,
  daySlots,
  freeSlots,
  intervalsOverlap,
  localDate,
  localTime,
  minuteOf,
  nextFreeSlot,
  overlapsOf,
  spansOn,
  timeOfMinute,
  worksAt,
  zonedIso,
  type Interval,
  type WorkingHours,
} from "@vetsync/shared"

/**
 * The booking grid's slot arithmetic (shared/src/schema/slots.ts), by property: free slots from
 * working hours and bookings, the next free slot from now, and the overlap test that makes the
 * desk refuse a double booking. VETSYNC_FC_SEED replays a run, VETSYNC_FC_RUNS scales it.
 */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 1)
const params = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * RUNS)) })

const zone = fc.constantFrom("Europe/Moscow", "Asia/Vladivostok", "America/Santiago", "Asia/Kolkata", "UTC", "Europe/Berlin")
const date = fc.integer({ min: 0, max: 3 * 365 }).map(d => addDays("2025-01-01", d))
const MIN = 60_000

/** working hours as a staff list may hold them: per weekday, none to two spans on the 15-minute grid */
const span = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 40 }))
  .map(([from, len]) => ({ from: timeOfMinute(from * 15), to: timeOfMinute(Math.min(95, from + len) * 15) }))
  .filter(s => minuteOf(s.from) < minuteOf(s.to))
const hours: fc.Arbitrary<WorkingHours> = fc.record(
  Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map(d => [d, fc.array(span, { maxLength: 2 })])),
  { requiredKeys: [] },
)

/** honest bookings of one vet: back to back or with gaps, never intersecting (each ends before the next starts) */
const honestDay = (day: string, z: string): fc.Arbitrary<Interval[]> =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 8 })), { maxLength: 12 })
    .map(steps => {
      let at = Date.parse(zonedIso(day, "08:00", z))
      return steps.map(([gap, len]) => {
        const start = at + gap * SLOT_MINUTES * MIN
        at = start + len * 5 * MIN
        return { start: new Date(start).toISOString(), end: new Date(at).toISOString() }
      })
    })

describe("the booking grid's slot arithmetic", () => {
  it("two intervals overlap exactly when they share a minute (touching ends do not), whichever way round", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), (a, la, b, lb, millis) => {
        const iso = (m: number): string => {
          const s = new Date(Date.parse("2026-03-01T00:00:00Z") + m * MIN).toISOString()
          return millis ? s : s.replace(".000Z", "Z")
        }
        const x = { start: iso(a), end: iso(a + la) }
        const y = { start: iso(b), end: iso(b + lb) }
        const shared = Math.min(a + la, b + lb) - Math.max(a, b)
        expect(intervalsOverlap(x, y)).toBe(shared > 0)
        expect(intervalsOverlap(y, x)).toBe(shared > 0)
      }),
      params(300),
    )
  })

  it("honest bookings never overlap one another; one laid over any of them is refused", () => {
    fc.assert(
      fc.property(
        zone.chain(z => date.chain(d => honestDay(d, z).map(b => ({ z, d, b })))),
        fc.nat(),
        fc.integer({ min: 1, max: 30 }),
        ({ b }, pick, minutes) => {
          // the honest day itself: each booking, checked against the others, is accepted
          b.forEach((x, i) => expect(overlapsOf(x, b.filter((_, j) => j !== i))).toEqual([]))
          if (b.length === 0) return
          const hit = b[pick % b.length] as Interval
          // a booking starting inside another one (or ending inside it) is refused, and names it
          const start = Date.parse(hit.start) + ((pick % 5) * MIN) % (Date.parse(hit.end) - Date.parse(hit.start))
          const over = { start: new Date(start).toISOString(), end: new Date(start + minutes * MIN).toISOString() }
          expect(overlapsOf(over, b)).toContainEqual(hit)
        },
      ),
      params(200),
    )
  })

  it("the day's slots cover it on the clinic's clock, 15 minutes each, in order", () => {
    fc.assert(
      fc.property(zone, date, (z, d) => {
        const slots = daySlots(d, z, 0, 1440)
        for (const s of slots) {
          expect(localDate(s.start, z)).toBe(d)
          expect(localTime(s.start, z)).toBe(s.time)
          expect(s.minute % SLOT_MINUTES).toBe(0)
        }
        for (let i = 1; i < slots.length; i++) expect(Date.parse(slots[i]?.start ?? "")).toBe(Date.parse(slots[i - 1]?.end ?? ""))
        // a day is 23 to 25 hours long
        expect(slots.length).toBeGreaterThanOrEqual(92)
        expect(slots.length).toBeLessThanOrEqual(100)
      }),
      params(40),
    )
  })

  it("on the days the clock jumps, no slot is named after a wall time the day skips", () => {
    // spring forward at 02:00 in Berlin and at 00:00 in Santiago; the random dates above rarely hit them
    const jumps: [string, string, string][] = [
      ["Europe/Berlin", "2026-03-29", "02:00"],
      ["America/Santiago", "2026-09-06", "00:00"],
      ["Europe/Berlin", "2025-03-30", "02:00"],
    ]
    for (const [z, d, skipped] of jumps) {
      const slots = daySlots(d, z, 0, 1440)
      for (const s of slots) expect(localTime(s.start, z), `${z} ${d} ${s.time}`).toBe(s.time)
      expect(slots.map(s => s.time)).not.toContain(skipped)
      // the hour after the jump is there, at its own time
      const after = `${String(Number(skipped.slice(0, 2)) + 1).padStart(2, "0")}:00`
      expect(localTime(slots.find(s => s.time === after)!.start, z)).toBe(after)
      expect(slots).toHaveLength(92)
    }
  })

  it("free slots are exactly the worked slots no booking touches", () => {
    fc.assert(
      fc.property(
        zone.chain(z => date.chain(d => honestDay(d, z).map(taken => ({ z, d, taken })))),
        hours,
        ({ z, d, taken }, h) => {
          const free = freeSlots(d, z, h, taken)
          const freeStarts = new Set(free.map(s => s.start))
          for (const s of daySlots(d, z, 0, 1440)) {
            const works = spansOn(h, d).some(w => minuteOf(w.from) <= s.minute && s.minute + SLOT_MINUTES <= minuteOf(w.to))
            const touched = taken.some(t => intervalsOverlap(s, t))
            expect(freeStarts.has(s.start)).toBe(works && !touched)
          }
        },
      ),
      params(60),
    )
  })

  it("the next free slot is never past, is worked and free for the whole duration, and none earlier is", () => {
    fc.assert(
      fc.property(
        zone,
        date,
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 8 }).map(n => n * SLOT_MINUTES),
        (z, d, minuteNow, minutes) => {
          const now = Date.parse(zonedIso(d, "00:00", z)) + minuteNow * MIN + 17_000
          const taken = [
            { start: zonedIso(d, "09:00", z), end: zonedIso(d, "11:30", z) },
            { start: zonedIso(addDays(d, 1), "09:15", z), end: zonedIso(addDays(d, 1), "10:00", z) },
          ]
          const next = nextFreeSlot(now, z, DEFAULT_WORKING_HOURS, taken, minutes, 14)
          expect(next).not.toBeNull()
          if (!next) return
          expect(Date.parse(next.start)).toBeGreaterThanOrEqual(now)
          expect(Date.parse(next.end) - Date.parse(next.start)).toBe(minutes * MIN)
          const day = localDate(next.start, z)
          expect(worksAt(DEFAULT_WORKING_HOURS, day, next.minute, minutes)).toBe(true)
          expect(overlapsOf(next, taken)).toEqual([])
          // no earlier start on the grid would have done
          for (let dd = localDate(now, z); dd <= day; dd = addDays(dd, 1))
            for (const s of daySlots(dd, z, 0, 1440)) {
              if (Date.parse(s.start) < now || Date.parse(s.start) >= Date.parse(next.start)) continue
              const wanted = { start: s.start, end: new Date(Date.parse(s.start) + minutes * MIN).toISOString() }
              expect(worksAt(DEFAULT_WORKING_HOURS, dd, s.minute, minutes) && overlapsOf(wanted, taken).length === 0).toBe(false)
            }
        },
      ),
      params(25),
    )
  })

  it("a vet with no working hours has no free slot", () => {
    expect(nextFreeSlot(Date.parse("2026-06-15T05:00:00Z"), "Europe/Moscow", {}, [], 15, 14)).toBeNull()
    expect(freeSlots("2026-06-15", "Europe/Moscow", {}, [])).toEqual([])
  })

  it("Mon–Sat 09:00–18:00: Sunday is off, Monday 09:00 is worked and 18:00 is not", () => {
    expect(spansOn(DEFAULT_WORKING_HOURS, "2026-06-14")).toEqual([])
    expect(worksAt(DEFAULT_WORKING_HOURS, "2026-06-15", minuteOf("09:00"))).toBe(true)
    expect(worksAt(DEFAULT_WORKING_HOURS, "2026-06-15", minuteOf("17:45"))).toBe(true)
    expect(worksAt(DEFAULT_WORKING_HOURS, "2026-06-15", minuteOf("18:00"))).toBe(false)
  })
})
