import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  addDays,
  appointmentsKey,
  canonicalTimeZone,
  dayRange,
  dayStart,
  invoicesKey,
  isTimeZone,
  localDate,
  localMonth,
  localTime,
  monthRange,
  zonedInstant,
  zonedIso,
} from "@vetsync/shared"

/**
 * A clinic's days and months in its time zone. Property tests compare with an independent
 * reading of the wall clock (Swedish-locale Intl formatting, which prints ISO-like
 * "YYYY-MM-DD HH:MM:SS"); VETSYNC_FC_SEED replays a run, VETSYNC_FC_RUNS scales it.
 */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 1)
const params = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * RUNS)) })

const ZONES = Intl.supportedValuesOf("timeZone")
const zone = fc.constantFrom(...ZONES, "UTC", "Europe/Moscow", "Asia/Vladivostok", "America/Santiago", "Asia/Kolkata")
const instant = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 11, 31) })
/** the wall clock in a zone, read independently of zone.ts */
const wall = (ms: number, tz: string): string =>
  new Date(ms).toLocaleString("sv-SE", { timeZone: tz, hourCycle: "h23" })

describe("a clinic's calendar in its time zone", () => {
  it(`puts a record in the month partition of its local month (seed ${SEED})`, () => {
    fc.assert(
      fc.property(instant, zone, (ms, tz) => {
        const iso = new Date(ms).toISOString()
        const month = wall(ms, tz).slice(0, 7)
        expect(localMonth(iso, tz)).toBe(month)
        expect(appointmentsKey(iso, tz)).toBe(`appointments/${month}`)
        expect(invoicesKey(iso, tz)).toBe(`invoices/${month}`)
        expect(`${localDate(ms, tz)} ${localTime(ms, tz)}`).toBe(wall(ms, tz).slice(0, 16))
      }),
      params(2000),
    )
  })

  it(`counts a day from its first local instant to the next day's (seed ${SEED})`, () => {
    fc.assert(
      fc.property(instant, zone, (ms, tz) => {
        const date = localDate(ms, tz)
        const { from, to } = dayRange(date, tz)
        const [f, t] = [Date.parse(from), Date.parse(to)]
        expect(f).toBeLessThanOrEqual(ms)
        expect(ms).toBeLessThan(t)
        expect(wall(f, tz).slice(0, 10)).toBe(date)
        expect(wall(f - 1000, tz).slice(0, 10)).not.toBe(date)
        expect(wall(t, tz).slice(0, 10)).toBe(addDays(date, 1))
        // a day lasts 24 hours give or take a clock change (at most a few hours)
        expect(Math.abs(t - f - 86_400_000)).toBeLessThanOrEqual(3 * 3_600_000)
      }),
      params(1000),
    )
  })

  it(`counts a month from its first local instant (seed ${SEED})`, () => {
    fc.assert(
      fc.property(instant, zone, (ms, tz) => {
        const month = localMonth(ms, tz)
        const { from, to } = monthRange(month, tz)
        expect(Date.parse(from)).toBeLessThanOrEqual(ms)
        expect(ms).toBeLessThan(Date.parse(to))
        expect(wall(Date.parse(from), tz).slice(0, 7)).toBe(month)
        expect(wall(Date.parse(from) - 1000, tz).slice(0, 7)).not.toBe(month)
      }),
      params(500),
    )
  })

  it(`reads a wall-clock time back as the instant it happens (seed ${SEED})`, () => {
    fc.assert(
      fc.property(instant, zone, (ms, tz) => {
        const [date, time] = [localDate(ms, tz), localTime(ms, tz)]
        const back = zonedInstant(date, time, tz)
        // the same wall-clock minute; for a time that happens twice (clocks going back), its first occurrence
        expect(wall(back, tz).slice(0, 16)).toBe(`${date} ${time}`)
        expect(back).toBeLessThanOrEqual(ms)
        expect(ms - back).toBeLessThan(3 * 3_600_000 + 60_000)
      }),
      params(1000),
    )
  })

  it("keeps Moscow's 00:00-02:59 and Vladivostok's 08:00-09:59 on their own day, not UTC's previous one", () => {
    // 2026-12-01 00:00-02:59 in Moscow is 2026-11-30 21:00-23:59 UTC
    for (const utc of ["2026-11-30T21:00:00.000Z", "2026-11-30T22:30:00.000Z", "2026-11-30T23:59:59.000Z"]) {
      expect(localDate(utc, "Europe/Moscow")).toBe("2026-12-01")
      expect(invoicesKey(utc, "Europe/Moscow")).toBe("invoices/2026-12")
      expect(utc.slice(0, 10)).toBe("2026-11-30")
    }
    expect(localDate("2026-11-30T20:59:59.000Z", "Europe/Moscow")).toBe("2026-11-30")
    expect(dayRange("2026-12-01", "Europe/Moscow")).toEqual({
      from: "2026-11-30T21:00:00.000Z",
      to: "2026-12-01T21:00:00.000Z",
    })
    // Vladivostok (UTC+10): 08:00-09:59 on 2026-12-01 is 22:00-23:59 UTC on 2026-11-30
    for (const utc of ["2026-11-30T22:00:00.000Z", "2026-11-30T23:59:00.000Z"]) {
      expect(localDate(utc, "Asia/Vladivostok")).toBe("2026-12-01")
      expect(appointmentsKey(utc, "Asia/Vladivostok")).toBe("appointments/2026-12")
    }
    expect(dayRange("2026-12-01", "Asia/Vladivostok")).toEqual({
      from: "2026-11-30T14:00:00.000Z",
      to: "2026-12-01T14:00:00.000Z",
    })
    expect(zonedIso("2026-12-01", "08:30", "Asia/Vladivostok")).toBe("2026-11-30T22:30:00.000Z")
    expect(zonedIso("2026-12-01", "00:15", "Europe/Moscow")).toBe("2026-11-30T21:15:00.000Z")
    expect(monthRange("2027-01", "Europe/Moscow")).toEqual({
      from: "2026-12-31T21:00:00.000Z",
      to: "2027-01-31T21:00:00.000Z",
    })
  })

  it("handles days whose midnight is skipped and wall times that do not exist", () => {
    // Chile moves its clocks from 24:00 to 01:00 on the first Sunday of September: 2026-09-06 starts at 01:00
    const start = dayStart("2026-09-06", "America/Santiago")
    expect(wall(start, "America/Santiago")).toBe("2026-09-06 01:00:00")
    expect(wall(start - 1000, "America/Santiago")).toBe("2026-09-05 23:59:59")
    // 02:30 on a spring-forward night in Berlin does not exist: it is read as 03:30
    expect(wall(zonedInstant("2026-03-29", "02:30", "Europe/Berlin"), "Europe/Berlin")).toBe("2026-03-29 03:30:00")
    // 02:30 on the fall-back night happens twice: the first one
    expect(zonedIso("2026-10-25", "02:30", "Europe/Berlin")).toBe("2026-10-25T00:30:00.000Z")
  })

  it("knows IANA names and refuses anything else", () => {
    for (const tz of ["Europe/Moscow", "Asia/Vladivostok", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT-3"])
      expect(isTimeZone(tz), tz).toBe(true)
    expect(canonicalTimeZone("europe/moscow")).toBe("Europe/Moscow")
    for (const tz of [
      "",
      "Moscow",
      "Mars/Olympus",
      "+03:00",
      "UTC+3",
      "Europe/Moscow; DROP TABLE",
      "../etc/passwd",
      "Europe//Moscow",
    ])
      expect(isTimeZone(tz), tz).toBe(false)
  })
})
