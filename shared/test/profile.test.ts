import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  EMPTY_PROFILE,
  PROFILE_FIELDS,
  isAccount,
  isBik,
  isCorrespondentAccount,
  isInn,
  isKpp,
  isOgrn,
  validateClinicProfile,
  validateProfileFields,
  type ClinicProfile,
} from "@vetsync/shared"
import { Rng, sampleAccount, sampleBik, sampleInn, sampleKpp, sampleOgrn, sampleProfile } from "@vetsync/test-kit/seed"

/**
 * The clinic profile's checks, both ways: generated honest requisites (control digits computed
 * the way the tax service and the Bank of Russia compute them) must pass, and broken ones must not.
 */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const params = (n: number) => ({
  seed: SEED,
  numRuns: Math.max(1, Math.round(n * Number(process.env.VETSYNC_FC_RUNS ?? 1))),
})

const rng = fc.integer().map(n => new Rng(n, "requisites"))
const kind = fc.constantFrom("organisation" as const, "entrepreneur" as const)
const codesOf = (p: ClinicProfile): string[] => {
  const v = validateClinicProfile(p)
  return v.ok ? [] : v.errors.map(e => `${e.field}:${e.code}`)
}
/** the same string with the character at `i` replaced by a different digit */
const otherDigit = (s: string, i: number, by: number): string => {
  const d = (Number(s[i]) + by) % 10
  return s.slice(0, i) + String(d) + s.slice(i + 1)
}
const shift = fc.integer({ min: 1, max: 9 })

describe("requisites", () => {
  it(`takes generated honest INN, KPP, OGRN, BIK and accounts (seed ${SEED})`, () => {
    fc.assert(
      fc.property(rng, kind, (r, k) => {
        expect(isInn(sampleInn(r, k))).toBe(true)
        expect(isOgrn(sampleOgrn(r, k))).toBe(true)
        expect(isKpp(sampleKpp(r))).toBe(true)
        const bik = sampleBik(r)
        expect(isBik(bik)).toBe(true)
        expect(isAccount(sampleAccount(r, bik), bik)).toBe(true)
        expect(isCorrespondentAccount(sampleAccount(r, bik, true), bik)).toBe(true)
      }),
      params(500),
    )
  })

  it(`refuses a wrong control digit, a wrong length and letters (seed ${SEED})`, () => {
    fc.assert(
      fc.property(rng, kind, shift, (r, k, by) => {
        const inn = sampleInn(r, k)
        expect(isInn(otherDigit(inn, inn.length - 1, by))).toBe(false)
        expect(isInn(inn.slice(1))).toBe(false)
        expect(isInn(`${inn}0`)).toBe(false)
        expect(isInn(`${inn.slice(0, -1)}x`)).toBe(false)
        const ogrn = sampleOgrn(r, k)
        expect(isOgrn(otherDigit(ogrn, ogrn.length - 1, by))).toBe(false)
        expect(isOgrn(ogrn.slice(1))).toBe(false)
        const kpp = sampleKpp(r)
        expect(isKpp(kpp.slice(1))).toBe(false)
        expect(isKpp(`${kpp}1`)).toBe(false)
        expect(isKpp(`${kpp.slice(0, 4)}ab${kpp.slice(6)}`)).toBe(false)
        expect(isKpp(`A${kpp.slice(1)}`)).toBe(false)
        const bik = sampleBik(r)
        expect(isBik(bik.slice(1))).toBe(false)
        const account = sampleAccount(r, bik)
        // the key's place (9th digit) and any other digit: the weights 7, 1, 3 never make a change vanish mod 10
        expect(isAccount(otherDigit(account, 8, by), bik)).toBe(false)
        expect(isAccount(account.slice(1), bik)).toBe(false)
        const corr = sampleAccount(r, bik, true)
        expect(isCorrespondentAccount(otherDigit(corr, 8, by), bik)).toBe(false)
        expect(isCorrespondentAccount(corr, otherDigit(bik, 4, by))).toBe(false)
      }),
      params(500),
    )
  })

  it("takes real published requisites", () => {
    // ПАО Сбербанк: ИНН 7707083893, КПП 773601001, ОГРН 1027700132195, БИК 044525225, к/с 30101810400000000225
    expect(isInn("7707083893")).toBe(true)
    expect(isKpp("773601001")).toBe(true)
    expect(isOgrn("1027700132195")).toBe(true)
    expect(isCorrespondentAccount("30101810400000000225", "044525225")).toBe(true)
    // a Treasury office's single treasury account (ЕКС) with its BIK; its treasury accounts: 20 digits
    expect(isCorrespondentAccount("40102810545370000003", "004525988")).toBe(true)
    expect(isAccount("03224643450000007300", "004525988")).toBe(true)
    expect(isAccount("0322464345000000730", "004525988")).toBe(false)
  })
})

describe("the clinic profile", () => {
  it(`takes generated honest profiles of organisations and entrepreneurs, and an empty one (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.integer(), kind, (seed, k) => {
        expect(codesOf(sampleProfile(seed, k))).toEqual([])
      }),
      params(300),
    )
    expect(codesOf(EMPTY_PROFILE)).toEqual([])
    expect(codesOf({ ...EMPTY_PROFILE, name: "Айболит", timeZone: "Asia/Vladivostok" })).toEqual([])
  })

  it(`refuses requisites that do not belong together or do not check out (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.integer(), shift, (seed, by) => {
        const org = sampleProfile(seed, "organisation")
        const ip = sampleProfile(seed, "entrepreneur")
        expect(codesOf({ ...org, inn: otherDigit(org.inn, 9, by) })).toContain("inn:invalid_inn")
        expect(codesOf({ ...org, ogrn: ip.ogrn })).toEqual(["ogrn:ogrn_inn_mismatch"])
        expect(codesOf({ ...ip, kpp: org.kpp })).toEqual(["kpp:kpp_needs_inn10"])
        expect(codesOf({ ...org, kpp: org.kpp.toLowerCase().replace(/^\d/, "x") })).toEqual(["kpp:invalid_kpp"])
        expect(codesOf({ ...org, account: otherDigit(org.account, 8, by) })).toEqual(["account:invalid_account"])
        expect(codesOf({ ...org, bik: "" })).toEqual(["account:needs_bik", "correspondentAccount:needs_bik"])
        expect(codesOf({ ...org, correspondentAccount: otherDigit(org.correspondentAccount, 19, by) })).toEqual([
          "correspondentAccount:invalid_account",
        ])
        expect(codesOf({ ...org, phone: "call me" })).toEqual(["phone:invalid_phone"])
      }),
      params(300),
    )
  })

  it(`takes each honest field on its own (what \`clinics set\` checks before opening a database) (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.integer(), kind, fc.subarray([...PROFILE_FIELDS], { minLength: 1 }), (seed, k, fields) => {
        const p = sampleProfile(seed, k)
        expect(validateProfileFields(Object.fromEntries(fields.map(f => [f, p[f]])))).toEqual({ ok: true })
      }),
      params(300),
    )
    for (const tz of Intl.supportedValuesOf("timeZone"))
      expect(validateProfileFields({ timeZone: tz }), tz).toEqual({ ok: true })
    expect(validateProfileFields({ kpp: "77360100" })).toMatchObject({
      ok: false,
      errors: [{ field: "kpp", code: "invalid_kpp" }],
    })
  })

  it("refuses a time zone Intl does not know, text that cannot be stored and absurd lengths", () => {
    for (const tz of ["Moscow", "MSK+0", "+03:00", "Europe/Atlantis"])
      expect(codesOf({ ...EMPTY_PROFILE, timeZone: tz }), tz).toEqual(["timeZone:invalid_time_zone"])
    expect(codesOf({ ...EMPTY_PROFILE, name: "Ай\u0000болит" })).toEqual(["name:invalid_text"])
    expect(codesOf({ ...EMPTY_PROFILE, address: "x".repeat(501) })).toEqual(["address:too_long"])
    expect(codesOf({ ...EMPTY_PROFILE, inn: 7707083893 as unknown as string })).toEqual(["inn:type"])
  })
})
