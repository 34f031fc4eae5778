import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ageOn } from "../../../src/ui/forms/age.js"
import { pluralForm } from "../../../src/ui/forms/plural.js"

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")
const date = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2100-12-31T00:00:00Z"), noInvalidDate: true })
  .map(d => d.toISOString().slice(0, 10))

describe("a patient's age", () => {
  it("counts whole years and months on the calendar", () => {
    expect(ageOn("2012-12-17", "2026-12-16")).toEqual({ years: 13, months: 167 })
    expect(ageOn("2012-12-17", "2026-12-17")).toEqual({ years: 14, months: 168 })
    expect(ageOn("2026-06-20", "2026-11-20")).toEqual({ years: 0, months: 5 })
    expect(ageOn("2026-06-20", "2026-11-19")).toEqual({ years: 0, months: 4 })
    expect(ageOn("2026-11-20", "2026-11-20")).toEqual({ years: 0, months: 0 })
    expect(ageOn("2026-11-21", "2026-11-20")).toBeNull()
    expect(ageOn("", "2026-11-20")).toBeNull()
  })

  it("completes a month or a year on the month's last day when the month is short", () => {
    expect(ageOn("2024-02-29", "2025-02-27")?.years).toBe(0)
    expect(ageOn("2024-02-29", "2025-02-28")?.years).toBe(1)
    expect(ageOn("2024-02-29", "2028-02-28")?.years).toBe(3)
    expect(ageOn("2024-02-29", "2028-02-29")?.years).toBe(4)
    expect(ageOn("2026-01-31", "2026-02-27")?.months).toBe(0)
    expect(ageOn("2026-01-31", "2026-02-28")?.months).toBe(1)
    expect(ageOn("2026-01-31", "2026-03-30")?.months).toBe(1)
    expect(ageOn("2026-01-31", "2026-03-31")?.months).toBe(2)
  })

  it("never goes down as days pass, and is a whole number of years of months", () => {
    fc.assert(
      fc.property(date, date, date, (a, b, c) => {
        const [birth, d1, d2] = [a, b, c].sort()
        const x = ageOn(birth as string, d1 as string)
        const y = ageOn(birth as string, d2 as string)
        expect(x && y && y.months >= x.months).toBe(true)
        expect(x?.years).toBe(Math.floor((x?.months ?? 0) / 12))
      }),
      { numRuns: 1000 },
    )
  })

  it("is n years on the n-th birthday and n-1 the day before (not 29 February)", () => {
    const birth = fc.record({
      y: fc.integer({ min: 1900, max: 2050 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
    })
    fc.assert(
      fc.property(birth, fc.integer({ min: 1, max: 40 }), ({ y, m, d }, n) => {
        const b = `${y}-${pad(m)}-${pad(d)}`
        expect(ageOn(b, `${y + n}-${pad(m)}-${pad(d)}`)?.years).toBe(n)
        const before = new Date(Date.UTC(y + n, m - 1, d - 1)).toISOString().slice(0, 10)
        expect(ageOn(b, before)?.years).toBe(n - 1)
      }),
    )
  })
})

describe("plural forms", () => {
  it("follows the Russian rules: 1 год, 2 года, 5 лет, 11 лет, 21 год, 22 года", () => {
    const ru = (n: number): string => pluralForm("ru", n)
    expect([1, 21, 101, 1001].map(ru)).toEqual(["one", "one", "one", "one"])
    expect([2, 3, 4, 22, 34, 102].map(ru)).toEqual(["few", "few", "few", "few", "few", "few"])
    expect([0, 5, 11, 12, 13, 14, 19, 20, 25, 111, 112, 1000].map(ru)).toEqual(Array(12).fill("many"))
  })

  it("agrees with the browser's Russian plural rules for whole numbers", () => {
    const rules = new Intl.PluralRules("ru-RU")
    for (let n = 0; n <= 10_000; n++) expect(pluralForm("ru", n), String(n)).toBe(rules.select(n))
  })

  it("English: one and the rest", () => {
    expect(pluralForm("en", 1)).toBe("one")
    expect([0, 2, 5, 11, 21].map(n => pluralForm("en", n))).toEqual(Array(5).fill("many"))
  })
})
