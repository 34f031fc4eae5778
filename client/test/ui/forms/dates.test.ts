import { isCalendarDate } from "@vetsync/shared/schema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatDate, parseDate, parseTime, tidyDate } from "../../../src/ui/forms/dates.js"

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate()

/** an honest calendar date, YYYY-MM-DD, of any year a field could hold */
const honestDate = fc
  .record({
    y: fc.integer({ min: 1, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ y, m, d }) => {
    // Date.UTC takes years 0-99 as 1900-1999: the month's length through setUTCFullYear
    const t = new Date(0)
    t.setUTCFullYear(y, m, 0)
    return `${pad(y, 4)}-${pad(m)}-${pad(Math.min(d, t.getUTCDate()))}`
  })
const lang = fc.constantFrom("ru" as const, "en" as const)
const separator = fc.constantFrom(".", "/", "-", " ")

describe("dates as staff type and read them", () => {
  it("formats day first: ДД.ММ.ГГГГ in Russian, DD/MM/YYYY in English", () => {
    expect(formatDate("2012-12-17")).toBe("17.12.2012")
    expect(formatDate("2026-02-01", "ru")).toBe("01.02.2026")
    expect(formatDate("2026-02-01", "en")).toBe("01/02/2026")
    expect(formatDate("")).toBe("")
    expect(formatDate("soon")).toBe("soon")
  })

  it("reads what staff type", () => {
    expect(parseDate("17.12.2012")).toBe("2012-12-17")
    expect(parseDate(" 1.2.2026 ")).toBe("2026-02-01")
    expect(parseDate("17/12/2012")).toBe("2012-12-17")
    expect(parseDate("17-12-2012")).toBe("2012-12-17")
    expect(parseDate("17 12 2012")).toBe("2012-12-17")
    expect(parseDate("17122012")).toBe("2012-12-17")
    expect(parseDate("2012-12-17")).toBe("2012-12-17")
    expect(parseDate("29.02.2024")).toBe("2024-02-29")
    expect(tidyDate("1.2.2026", "ru")).toBe("01.02.2026")
    expect(tidyDate("1.2.2026", "en")).toBe("01/02/2026")
    expect(tidyDate("31.02.2026", "ru")).toBe("31.02.2026")
  })

  it("refuses what is not a calendar date", () => {
    for (const bad of [
      "",
      "31.02.2026",
      "29.02.2025",
      "31.04.2026",
      "00.01.2026",
      "01.00.2026",
      "01.13.2026",
      "32.01.2026",
      "17.12.12",
      "17.12.201",
      "2026-02-30",
      "12/31/2026",
      "17..12.2012",
      "сегодня",
      "17.12.2012г",
      "1712201",
    ])
      expect(parseDate(bad), bad).toBeNull()
  })

  it("round-trips every honest date through format and parse, in both languages", () => {
    fc.assert(
      fc.property(honestDate, lang, (date, l) => {
        expect(isCalendarDate(date)).toBe(true)
        expect(parseDate(formatDate(date, l))).toBe(date)
      }),
      { numRuns: 2000 },
    )
  })

  it("reads an honest date typed with any separator, leading zeros or none, and shows it in its canonical form", () => {
    fc.assert(
      fc.property(honestDate, lang, separator, fc.boolean(), (date, l, sep, zeros) => {
        const [y, m, d] = date.split("-").map(Number) as [number, number, number]
        const typed = zeros ? `${pad(d)}${sep}${pad(m)}${sep}${pad(y, 4)}` : `${d}${sep}${m}${sep}${pad(y, 4)}`
        expect(parseDate(typed)).toBe(date)
        expect(formatDate(parseDate(typed) ?? "", l)).toBe(formatDate(date, l))
      }),
      { numRuns: 2000 },
    )
  })

  it("refuses a day past the end of its month and a month past December", () => {
    const pastMonthEnd = fc
      .record({
        y: fc.integer({ min: 1000, max: 9999 }),
        m: fc.integer({ min: 1, max: 12 }),
        over: fc.integer({ min: 1, max: 3 }),
      })
      .filter(({ y, m, over }) => daysIn(y, m) + over <= 99)
      .map(({ y, m, over }) => `${pad(daysIn(y, m) + over)}.${pad(m)}.${y}`)
    fc.assert(
      fc.property(pastMonthEnd, typed => {
        expect(parseDate(typed), typed).toBeNull()
      }),
      { numRuns: 1000 },
    )
    const badMonth = fc
      .record({
        y: fc.integer({ min: 1000, max: 9999 }),
        m: fc.integer({ min: 13, max: 99 }),
        d: fc.integer({ min: 1, max: 28 }),
      })
      .map(({ y, m, d }) => `${pad(d)}.${m}.${y}`)
    fc.assert(
      fc.property(badMonth, typed => {
        expect(parseDate(typed), typed).toBeNull()
      }),
      { numRuns: 500 },
    )
  })

  it("reads times of day", () => {
    expect(parseTime("9:30")).toBe("09:30")
    expect(parseTime("09:30")).toBe("09:30")
    expect(parseTime("9.30")).toBe("09:30")
    expect(parseTime("0930")).toBe("09:30")
    expect(parseTime("930")).toBe("09:30")
    expect(parseTime("18")).toBe("18:00")
    expect(parseTime(" 23:59 ")).toBe("23:59")
    for (const bad of ["", "24:00", "12:60", "9:3", "9-30", "полдень", "12:30:00", "12345"])
      expect(parseTime(bad), bad).toBeNull()
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
        expect(parseTime(`${h}:${pad(m)}`)).toBe(`${pad(h)}:${pad(m)}`)
      }),
    )
  })
})
