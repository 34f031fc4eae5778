/**
 * Phone numbers as Russian front desks type them, in one canonical form.
 *
 * Canonical: "+7" and the 10 digits of a Russian (or Kazakh, same plan) number, "+79526181032";
 * a foreign number is "+" and its digits, "+442079460958". Staff type the same Russian number as
 * "8 952 618-10-32", "+7 (952) 618 10 32", "7 952 6181032" or "952 618-10-32": all of them are the
 * same canonical number. Foreign numbers are typed with "+" (or the international prefixes "8 10"
 * and "00"). Anything else is refused with a code the UI translates.
 *
 * Records stored before normalisation hold what staff typed; `phoneKey` and `phoneSearchText`
 * read those too, so an old "+7 952 618-10-32" is found as "89526181032".
 */

/** Why a typed phone is not a phone (stable codes; the messages are English). */
export type PhoneProblem = "phone_characters" | "phone_too_short" | "phone_too_long" | "phone_needs_country"

export type PhoneResult = { ok: true; phone: string } | { ok: false; code: PhoneProblem; message: string }

const MESSAGES: Record<PhoneProblem, string> = {
  phone_characters: "may hold only digits, spaces, brackets, dashes and a leading +",
  phone_too_short: "has too few digits: a Russian number has 10 after +7 or 8",
  phone_too_long: "has too many digits: a Russian number has 10 after +7 or 8, a foreign one at most 15",
  phone_needs_country: "a number abroad starts with + and its country code",
}

/** digits, separators (spaces of any kind, brackets, dashes, dots, slashes) and one leading + */
const TYPED = /^\+?[\d\s()\-.‐-―/]*$/u
const FOREIGN_MIN = 7
const FOREIGN_MAX = 15

const fail = (code: PhoneProblem): PhoneResult => ({ ok: false, code, message: MESSAGES[code] })

/** "+7" and a national number of 10 digits (it does not start with 0). */
const russian = (national: string): PhoneResult =>
  national.startsWith("0") ? fail("phone_needs_country") : { ok: true, phone: `+7${national}` }

/** "+" and a country code with its number: 7 to 15 digits. */
const foreign = (digits: string): PhoneResult => {
  if (digits.startsWith("0")) return fail("phone_needs_country")
  if (digits.startsWith("7"))
    return digits.length === 11
      ? russian(digits.slice(1))
      : fail(digits.length < 11 ? "phone_too_short" : "phone_too_long")
  // "+8 952 618-10-32": 8 and + typed together; no country code starts with 89
  if (digits.startsWith("89") && digits.length === 11) return russian(digits.slice(1))
  if (digits.length < FOREIGN_MIN) return fail("phone_too_short")
  if (digits.length > FOREIGN_MAX) return fail("phone_too_long")
  return { ok: true, phone: `+${digits}` }
}

/** Without "+": 8/7 and 10 digits, 10 digits alone, or an international prefix (8 10, 00). */
const national = (digits: string): PhoneResult => {
  if (digits.length < 10) return fail("phone_too_short")
  if (digits.startsWith("00")) return foreign(digits.slice(2))
  if (digits.startsWith("810") && digits.length > 11) return foreign(digits.slice(3))
  if (digits.length === 11)
    return digits.startsWith("7") || digits.startsWith("8") ? russian(digits.slice(1)) : fail("phone_needs_country")
  if (digits.length === 10) {
    // "8 952 618 10 3": a mobile with a digit missing, not a number of its own (no code starts 79 or 89)
    if (/^[78]9/.test(digits)) return fail("phone_too_short")
    return /^[0-2]/.test(digits) ? fail("phone_needs_country") : russian(digits)
  }
  return fail(/^[78]/.test(digits) ? "phone_too_long" : "phone_needs_country")
}

/**
 * The canonical form of a typed phone, or why it is not one. "" (or only spaces) is `{ ok, "" }`:
 * whether a phone is required is the caller's business.
 */
export const normalisePhone = (typed: string): PhoneResult => {
  const text = typed.trim()
  if (text === "") return { ok: true, phone: "" }
  if (!TYPED.test(text)) return fail("phone_characters")
  const digits = text.replace(/\D/g, "")
  if (digits === "") return fail("phone_too_short")
  return text.startsWith("+") ? foreign(digits) : national(digits)
}

/** The canonical number of a stored or typed phone, or "" if it is not one (records kept as typed long ago). */
export const phoneKey = (phone: string): string => {
  const r = normalisePhone(phone)
  return r.ok ? r.phone : ""
}

/** A phone for people: "+7 952 618-10-32"; a foreign number canonical; anything else as it was stored. */
export const formatPhone = (phone: string): string => {
  const key = phoneKey(phone)
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(key)
  if (m) return `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}`
  return key || phone.trim()
}

/**
 * The digits a search index keeps for a phone, so any prefix staff type finds it: a Russian
 * number both as "7XXXXXXXXXX" and "8XXXXXXXXXX" (then "8 952 61", "+7 952 61" and "952 61" all
 * are substrings), a foreign one as its digits, and a phone that is not one as its digits.
 */
export const phoneSearchText = (phone: string): string => {
  const key = phoneKey(phone)
  if (key.startsWith("+7")) return `7${key.slice(2)} 8${key.slice(2)}`
  return (key || phone).replace(/\D/g, "")
}
