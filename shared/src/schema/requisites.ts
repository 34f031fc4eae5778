/**
 * Russian company requisites as printed on an invoice, checked the way banks and the tax service
 * check them: lengths, alphabets and control digits. Each check is a pure function of its text
 * (test/requisites.test.ts generates valid values of each, which must pass, and broken ones, which must not).
 */

const ALL_DIGITS = /^\d+$/
const digits = (s: string): number[] => [...s].map(Number)
const weighted = (ds: number[], weights: readonly number[]): number =>
  ds.reduce((sum, d, i) => sum + d * (weights[i % weights.length] ?? 0), 0)

const INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const
const INN11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const
const INN12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const

/** INN control digit(s): 10 digits (an organisation) or 12 (a person, an individual entrepreneur). */
export const innControl = (first: string): string => {
  const d = digits(first)
  if (d.length === 9) return String((weighted(d, INN10) % 11) % 10)
  if (d.length === 10) {
    const c11 = (weighted(d, INN11) % 11) % 10
    const c12 = (weighted([...d, c11], INN12) % 11) % 10
    return `${c11}${c12}`
  }
  throw new Error("innControl takes the first 9 or 10 digits")
}

/** ИНН: 10 digits (organisation) or 12 (entrepreneur), control digits by the tax service's weights. */
export const isInn = (s: string): boolean =>
  ALL_DIGITS.test(s) &&
  (s.length === 10 || s.length === 12) &&
  innControl(s.slice(0, s.length === 10 ? 9 : 10)) === s.slice(s.length === 10 ? 9 : 10)

/** КПП: 9 characters, NNNN PP NNN, where PP (the reason code) may be digits or capital Latin letters. */
export const isKpp = (s: string): boolean => /^\d{4}[0-9A-Z]{2}\d{3}$/.test(s)

/** OGRN control digit: the first 12 digits mod 11 (ОГРН, 13 digits) or the first 14 mod 13 (ОГРНИП, 15 digits), last digit. */
export const ogrnControl = (first: string): string => {
  if (!ALL_DIGITS.test(first) || (first.length !== 12 && first.length !== 14))
    throw new Error("ogrnControl takes the first 12 or 14 digits")
  return String((BigInt(first) % (first.length === 12 ? 11n : 13n)) % 10n)
}

/** ОГРН (13 digits) or ОГРНИП (15 digits) with its control digit. */
export const isOgrn = (s: string): boolean =>
  ALL_DIGITS.test(s) && (s.length === 13 || s.length === 15) && ogrnControl(s.slice(0, -1)) === s.slice(-1)

/** БИК: 9 digits. */
export const isBik = (s: string): boolean => /^\d{9}$/.test(s)

const ACCOUNT_WEIGHTS = [7, 1, 3] as const
/** The control key of a 20-digit account behind its 3-digit prefix: the weighted sum ends in 0. */
const keyHolds = (prefix: string, account: string): boolean =>
  weighted(digits(prefix + account), ACCOUNT_WEIGHTS) % 10 === 0

/**
 * The prefixes the Bank of Russia's control-key rule puts before a 20-digit account: a credit
 * institution's accounts take the BIK's last 3 digits (its number in the settlement network,
 * 050-999); correspondent accounts take "0" and the BIK's 5th-6th digits.
 */
const bankPrefix = (bik: string): string => bik.slice(-3)
const centralPrefix = (bik: string): string => `0${bik.slice(4, 6)}`
/**
 * A BIK of a credit institution ("04", the region, the division, and its number 050-999), not of a
 * Bank of Russia office (number 000-049) or a Treasury office (BIKs beginning "00").
 */
export const isCreditInstitutionBik = (bik: string): boolean =>
  /^04\d{4}\d{3}$/.test(bik) && Number(bik.slice(-3)) >= 50

/**
 * Расчётный счёт: 20 digits; at a credit institution, its control key must hold with the BIK.
 * (Accounts at Bank of Russia and Treasury offices, e.g. a state clinic's treasury account, are
 * keyed by rules of their own: only their 20 digits are checked.)
 */
export const isAccount = (account: string, bik: string): boolean =>
  /^\d{20}$/.test(account) && isBik(bik) && (!isCreditInstitutionBik(bik) || keyHolds(bankPrefix(bik), account))

/** Корреспондентский счёт: 20 digits whose control key holds with "0" and the BIK's 5th-6th digits. */
export const isCorrespondentAccount = (account: string, bik: string): boolean =>
  /^\d{20}$/.test(account) && isBik(bik) && keyHolds(centralPrefix(bik), account)

/**
 * An account with the digit at position 9 (the control key's place) set so that its key holds
 * with `bik`: for tools and tests that build accounts ("40702810?00000001234").
 */
export const accountWithKey = (account: string, bik: string, correspondent = false): string => {
  if (!/^\d{20}$/.test(account) || !isBik(bik)) throw new Error("accountWithKey takes 20 digits and a BIK")
  const prefix = correspondent ? centralPrefix(bik) : bankPrefix(bik)
  const zeroed = `${account.slice(0, 8)}0${account.slice(9)}`
  const rest = weighted(digits(prefix + zeroed), ACCOUNT_WEIGHTS) % 10
  // the key's place is the 12th digit of prefix + account: weight 3, and 3 * 7 = 21 = 1 (mod 10)
  const key = ((10 - rest) * 7) % 10
  return `${account.slice(0, 8)}${key}${account.slice(9)}`
}
