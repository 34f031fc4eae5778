import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { formatPhone, normalisePhone, phoneKey, phoneSearchText, type PhoneResult } from "@vetsync/shared"

/**
 * Phone normalisation (issue 11, search point 4), with generated typings. Seeds: printed at the
 * start; replay with VETSYNC_FC_SEED=<seed> (VETSYNC_FC_RUNS scales the runs).
 */
const SEED = process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const SCALE = Number(process.env.VETSYNC_FC_RUNS ?? 1)
const params = (runs: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(runs * SCALE)) })

const digitsOf = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map(d => d.join(""))

/** a Russian national number: mobiles 9xx, landlines 3xx, 4xx, 8xx (no code starts 89) */
const nationalNumber = fc.oneof(
  fc.tuple(fc.constantFrom("3", "4", "9"), digitsOf(9)).map(([a, b]) => a + b),
  fc.tuple(fc.integer({ min: 0, max: 8 }), digitsOf(8)).map(([a, b]) => `8${a}${b}`),
)

const separator = fc.constantFrom("", " ", "-", " - ", ".", "\u00a0", "  ")
/** how the 10 digits are grouped: 952 618-10-32, 952 618 1032, 952 6181032, 9526181032 */
const GROUPINGS = [[3, 3, 2, 2], [3, 3, 4], [3, 7], [10], [3, 2, 2, 3], [5, 5]] as const

const group = (digits: string, sizes: readonly number[]): string[] => {
  const out: string[] = []
  let at = 0
  for (const n of sizes) {
    out.push(digits.slice(at, at + n))
    at += n
  }
  return out
}

/** every honest way of typing a Russian number: prefix, brackets, grouping, separators, stray spaces */
const typing = (nsn: string) =>
  fc
    .record({
      prefix: fc.constantFrom("+7", "8", "7", ""),
      afterPrefix: fc.constantFrom("", " ", "-", " ("),
      brackets: fc.boolean(),
      grouping: fc.constantFrom(...GROUPINGS),
      seps: fc.array(separator, { minLength: 4, maxLength: 4 }),
      pad: fc.constantFrom("", " ", "\t", " \u00a0"),
    })
    .map(({ prefix, afterPrefix, brackets, grouping, seps, pad }) => {
      const groups = group(nsn, grouping)
      const open = afterPrefix.endsWith("(")
      if ((brackets || open) && grouping[0] === 3) groups[0] = `${open ? "" : "("}${groups[0] ?? ""})`
      const body = groups.map((g, i) => (i === 0 ? g : `${seps[i - 1] ?? ""}${g}`)).join("")
      return { nsn, typed: `${pad}${prefix}${prefix === "" ? "" : afterPrefix}${body}${pad}` }
    })

const russianTyping = nationalNumber.chain(typing)

/** country codes of numbers abroad (none starts with 7) */
const COUNTRY_CODES = ["1", "44", "49", "33", "39", "34", "380", "375", "374", "995", "86", "81", "82", "90", "972", "998", "996", "371", "358", "420"]

const foreignNumber = (min: number) =>
  fc
    .tuple(fc.constantFrom(...COUNTRY_CODES), fc.integer({ min, max: 15 }), fc.integer({ min: 1, max: 9 }))
    .chain(([cc, total, first]) => digitsOf(Math.max(0, total - cc.length - 1)).map(rest => `${cc}${first}${rest}`))

const spaced = (digits: string, seps: string[]): string =>
  [...digits].map((d, i) => (i > 0 && i % 3 === 0 ? `${seps[i % seps.length] ?? ""}${d}` : d)).join("")

const ok = (phone: string): PhoneResult => ({ ok: true, phone })

describe("normalisePhone", () => {
  beforeAll(() => console.log(`[fc] seed ${SEED}: replay with VETSYNC_FC_SEED=${SEED}`))

  it("gives every honest typing of a Russian number the same canonical +7XXXXXXXXXX", () => {
    fc.assert(
      fc.property(russianTyping, ({ nsn, typed }) => {
        expect(normalisePhone(typed), JSON.stringify(typed)).toEqual(ok(`+7${nsn}`))
      }),
      params(2000),
    )
  })

  it("keeps canonical numbers canonical, and reads back what it shows", () => {
    fc.assert(
      fc.property(russianTyping, ({ typed }) => {
        const key = phoneKey(typed)
        expect(normalisePhone(key)).toEqual(ok(key))
        expect(normalisePhone(formatPhone(typed))).toEqual(ok(key))
        expect(formatPhone(typed)).toMatch(/^\+7 \d{3} \d{3}-\d{2}-\d{2}$/)
      }),
      params(500),
    )
  })

  it("keeps foreign numbers as + and their digits, typed with +, 00 or 8 10", () => {
    fc.assert(
      fc.property(foreignNumber(8), fc.array(separator, { minLength: 3, maxLength: 3 }), (digits, seps) => {
        expect(normalisePhone(`+${spaced(digits, seps)}`)).toEqual(ok(`+${digits}`))
        expect(normalisePhone(`00 ${spaced(digits, seps)}`)).toEqual(ok(`+${digits}`))
        expect(formatPhone(`+${digits}`)).toBe(`+${digits}`)
      }),
      params(500),
    )
    fc.assert(
      fc.property(foreignNumber(9), digits => {
        expect(normalisePhone(`8 10 ${digits}`)).toEqual(ok(`+${digits}`))
      }),
      params(300),
    )
  })

  it("finds a stored number by any three or more leading digits of any honest typing", () => {
    const storedAndTyped = nationalNumber.chain(nsn => fc.tuple(typing(nsn), typing(nsn)))
    fc.assert(
      fc.property(storedAndTyped, fc.integer({ min: 3, max: 11 }), ([stored, typed], n) => {
        const digits = typed.typed.replace(/\D/g, "").slice(0, n)
        expect(phoneSearchText(stored.typed)).toContain(digits)
        expect(phoneSearchText(formatPhone(stored.typed))).toContain(digits)
      }),
      params(500),
    )
  })

  it("refuses letters and other symbols, naming the problem", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter(s => /[^\d\s()\-.‐-―/+]/u.test(s.trim())),
        s => {
          expect(normalisePhone(s)).toMatchObject({ ok: false, code: "phone_characters" })
        },
      ),
      params(500),
    )
    for (const typed of ["call me", "8 952 618 10 32 доб. 12", "+7 952 618-10-32!", "+7 +952", "8-952-618-10-3x"])
      expect(normalisePhone(typed), typed).toMatchObject({ ok: false, code: "phone_characters" })
  })

  it("refuses numbers with digits missing or extra, and foreign numbers without +", () => {
    const refused: [string, string][] = [
      ["8 952 618 10 3", "phone_too_short"],
      ["+7 952 618 10 3", "phone_too_short"],
      ["618-10-32", "phone_too_short"],
      ["+", "phone_too_short"],
      ["()", "phone_too_short"],
      ["+44 20", "phone_too_short"],
      ["8 952 618 10 322", "phone_too_long"],
      ["+7 952 618 10 322", "phone_too_long"],
      ["+1234567890123456", "phone_too_long"],
      ["44 20 7946 0958", "phone_needs_country"],
      ["1 212 555 0100", "phone_needs_country"],
      ["0952618103", "phone_needs_country"],
      ["+0 952 618 10 32", "phone_needs_country"],
    ]
    for (const [typed, code] of refused) expect(normalisePhone(typed), typed).toMatchObject({ ok: false, code })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }).chain(digitsOf), d => {
        expect(normalisePhone(d)).toMatchObject({ ok: false, code: "phone_too_short" })
      }),
      params(200),
    )
  })

  it("reads the examples staff gave", () => {
    for (const typed of ["8 952 618 10 32", "89526181032", "+7 952 618-10-32", "+7 (952) 618-10-32", "7 952 6181032", "952 618-10-32", "+8 952 618-10-32", "8(952)618-10-32"])
      expect(normalisePhone(typed), typed).toEqual(ok("+79526181032"))
    expect(normalisePhone("  ")).toEqual(ok(""))
    expect(normalisePhone("+44 20 7946 0958")).toEqual(ok("+442079460958"))
    expect(normalisePhone("+1 (212) 555-0100")).toEqual(ok("+12125550100"))
    expect(formatPhone("89526181032")).toBe("+7 952 618-10-32")
    // a phone stored as typed long ago that is not a number: shown and searched as it is
    expect(formatPhone(" 12-34 ")).toBe("12-34")
    expect(phoneKey("12-34")).toBe("")
    expect(phoneSearchText("12-34")).toBe("1234")
    expect(phoneSearchText("+7 952 618-10-32")).toBe("79526181032 89526181032")
  })
})
