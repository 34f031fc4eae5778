import { isAccount, isBik, isCorrespondentAccount, isInn, isKpp, isOgrn } from "./requisites.js"
import { storable, type FieldError, type Validation } from "./validate.js"
import { isTimeZone } from "./zone.js"

/**
 * A clinic's profile: what its printed invoices carry and the time zone its days are counted in.
 * Kept in PostgreSQL (`clinics.name` and `clinic_profiles`), set with `vetsync clinics set`, and
 * published by the bridge to the desks as the server-owned `profile` document. "" means "not set".
 */
export interface ClinicProfile {
  /** the name staff and clients know ("Ветклиника «Айболит»") */
  name: string
  /** the legal entity ("ООО «Айболит»", "ИП Иванов Иван Иванович") */
  legalName: string
  address: string
  phone: string
  /** ИНН: 10 digits (organisation) or 12 (entrepreneur) */
  inn: string
  /** КПП: organisations only */
  kpp: string
  /** ОГРН (13 digits) or ОГРНИП (15) */
  ogrn: string
  bankName: string
  /** БИК */
  bik: string
  /** расчётный счёт */
  account: string
  /** корреспондентский счёт */
  correspondentAccount: string
  /** IANA time zone ("Europe/Moscow"); "" until set */
  timeZone: string
}

export const PROFILE_FIELDS = [
  "name",
  "legalName",
  "address",
  "phone",
  "inn",
  "kpp",
  "ogrn",
  "bankName",
  "bik",
  "account",
  "correspondentAccount",
  "timeZone",
] as const satisfies readonly (keyof ClinicProfile)[]

export const EMPTY_PROFILE: ClinicProfile = {
  name: "",
  legalName: "",
  address: "",
  phone: "",
  inn: "",
  kpp: "",
  ogrn: "",
  bankName: "",
  bik: "",
  account: "",
  correspondentAccount: "",
  timeZone: "",
}

const MAX: Record<keyof ClinicProfile, number> = {
  name: 200,
  legalName: 300,
  address: 500,
  phone: 40,
  inn: 12,
  kpp: 9,
  ogrn: 15,
  bankName: 200,
  bik: 9,
  account: 20,
  correspondentAccount: 20,
  timeZone: 64,
}

const PHONE = /^\+?[0-9()\-\s]{5,40}$/

type Add = (field: keyof ClinicProfile, code: string, message: string) => void
const set = (v: string | undefined): v is string => v !== undefined && v !== ""

/** Checks each field given on its own: type, storable text, length, format, control digits. */
const checkFields = (p: Partial<ClinicProfile>, add: Add): void => {
  for (const field of PROFILE_FIELDS) {
    const v: unknown = p[field]
    if (v === undefined) continue
    if (typeof v !== "string") add(field, "type", "must be text")
    else if (!storable(v)) add(field, "invalid_text", "contains a character that cannot be stored")
    else if (v.length > MAX[field]) add(field, "too_long", `is longer than ${MAX[field]} characters`)
  }
  const text = (f: keyof ClinicProfile): string | undefined => (typeof p[f] === "string" ? p[f] : undefined)
  const [phone, inn, kpp, ogrn, bik] = [text("phone"), text("inn"), text("kpp"), text("ogrn"), text("bik")]
  if (set(phone) && !PHONE.test(phone)) add("phone", "invalid_phone", "must be a phone number")
  if (set(inn) && !isInn(inn)) add("inn", "invalid_inn", "must be 10 or 12 digits with valid control digits")
  if (set(kpp) && !isKpp(kpp))
    add("kpp", "invalid_kpp", "must be 9 characters: 4 digits, 2 digits or capital letters, 3 digits")
  if (set(ogrn) && !isOgrn(ogrn))
    add("ogrn", "invalid_ogrn", "must be 13 (OGRN) or 15 (OGRNIP) digits with a valid control digit")
  if (set(bik) && !isBik(bik)) add("bik", "invalid_bik", "must be 9 digits")
  for (const f of ["account", "correspondentAccount"] as const) {
    const v = text(f)
    if (set(v) && !/^\d{20}$/.test(v)) add(f, "invalid_account", "must be 20 digits")
  }
  const tz = text("timeZone")
  if (set(tz) && !isTimeZone(tz))
    add("timeZone", "invalid_time_zone", "must be an IANA time zone such as Europe/Moscow")
}

/** Checks that the requisites of a whole profile belong together (each field already valid on its own). */
const checkTogether = (p: ClinicProfile, add: Add): void => {
  if (set(p.kpp) && p.inn.length !== 10)
    add("kpp", "kpp_needs_inn10", "is given only with an organisation's 10-digit INN")
  if (set(p.ogrn) && set(p.inn) && (p.inn.length === 10) !== (p.ogrn.length === 13))
    add(
      "ogrn",
      "ogrn_inn_mismatch",
      "an organisation (10-digit INN) has a 13-digit OGRN, an entrepreneur (12) a 15-digit OGRNIP",
    )
  if (set(p.account)) {
    if (!set(p.bik)) add("account", "needs_bik", "needs the bank's BIK")
    else if (!isAccount(p.account, p.bik)) add("account", "invalid_account", "its control key does not match the BIK")
  }
  if (set(p.correspondentAccount)) {
    if (!set(p.bik)) add("correspondentAccount", "needs_bik", "needs the bank's BIK")
    else if (!isCorrespondentAccount(p.correspondentAccount, p.bik))
      add("correspondentAccount", "invalid_account", "its control key does not match the BIK")
  }
}

/**
 * The fields given, each checked on its own (format and control digits): what a command can
 * check before it knows the rest of the profile (`vetsync clinics set` does, before opening a database).
 */
export const validateProfileFields = (patch: Partial<ClinicProfile>): Validation => {
  const errors: FieldError[] = []
  checkFields(patch, (field, code, message) => errors.push({ field, code, message }))
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}

/**
 * Checks a whole profile: each requisite's format and control digits, and that they belong
 * together (КПП only with a 10-digit ИНН, ОГРН 13 digits with ИНН 10 and ОГРНИП 15 with ИНН 12, a
 * bank account only with its БИК, whose control key it matches). Empty fields are allowed: a
 * clinic fills its profile in over time.
 */
export const validateClinicProfile = (p: ClinicProfile): Validation => {
  const errors: FieldError[] = []
  const add: Add = (field, code, message) => errors.push({ field, code, message })
  checkFields(p, add)
  if (errors.length === 0) checkTogether(p, add)
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}

/** A profile from any object: missing or non-text fields become "" (reading a document or a row). */
export const profileFrom = (o: Partial<Record<keyof ClinicProfile, unknown>> | undefined): ClinicProfile => {
  const out = { ...EMPTY_PROFILE }
  for (const field of PROFILE_FIELDS) {
    const v = o?.[field]
    if (typeof v === "string") out[field] = v
  }
  return out
}

/**
 * The column of PostgreSQL's clinic_profiles (migration 0010) that holds each profile field (the
 * name is clinics.name): one map for the registry's `clinics set|show` and the bridge's publisher.
 */
export const PROFILE_DB_COLUMNS = {
  legalName: "legal_name",
  address: "address",
  phone: "phone",
  inn: "inn",
  kpp: "kpp",
  ogrn: "ogrn",
  bankName: "bank_name",
  bik: "bik",
  account: "account",
  correspondentAccount: "correspondent_account",
  timeZone: "time_zone",
} as const satisfies Record<Exclude<keyof ClinicProfile, "name">, string>
