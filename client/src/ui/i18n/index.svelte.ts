import type { FieldError } from "@vetsync/shared/schema"
import { ageOn } from "../forms/age.js"
import { pluralForm } from "../forms/plural.js"
import { en } from "./en.js"
import { ru, type MessageKey } from "./ru.js"

export type Lang = "ru" | "en"
type PluralBase =
  | "sync.offline"
  | "sync.syncing"
  | "sync.lan"
  | "setup.revoked.waiting"
  | "setup.other.waiting"
  | "setup.other.move.confirm"
  | "age.years"
  | "age.months"
const DICTS: Record<Lang, Record<MessageKey, string>> = { ru, en }
const STORAGE_KEY = "vetsync.lang"

const initialLang = (): Lang => {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (saved === "ru" || saved === "en") return saved
  } catch {
    // no storage: default
  }
  return "ru"
}

/** The selected language and the translation function; reactive (Svelte 5 runes). */
class I18n {
  lang = $state<Lang>(initialLang())

  set(lang: Lang): void {
    this.lang = lang
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang)
    } catch {
      // ignore
    }
    if (typeof document !== "undefined") document.documentElement.lang = lang
  }

  t = (key: MessageKey, params: Record<string, string | number> = {}): string => {
    const text = DICTS[this.lang][key] ?? key
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
  }

  /** a message with a count: picks `<base>.one|few|many` by the language's plural rules */
  plural = (base: PluralBase, n: number, params: Record<string, string | number> = {}): string => {
    return this.t(`${base}.${pluralForm(this.lang, n)}`, { ...params, n })
  }

  /** a record field's name as staff know it ("phone" -> "Телефон") */
  fieldLabel = (field: string): string => {
    const key = `field.${field}` as MessageKey
    return key in DICTS[this.lang] ? this.t(key) : field
  }

  /** a field problem in the current language (falls back to the core's English message) */
  fieldError = (e: FieldError | undefined): string => {
    if (!e) return ""
    const key = `err.${e.code}` as MessageKey
    return key in DICTS[this.lang] ? this.t(key) : e.message
  }

  /** a patient's age on the clinic's `today`: "13 лет", "5 мес." for the young; "" when the birth date is not before today */
  age = (birthDate: string, today: string): string => {
    const age = ageOn(birthDate, today)
    if (!age) return ""
    if (age.years > 0) return this.plural("age.years", age.years)
    return age.months > 0 ? this.plural("age.months", age.months) : this.t("age.newborn")
  }

  /** a failed call as staff read it: what went wrong in this language (the desk's English detail goes under it) */
  failure = (code: string): string => {
    return this.knowsFailure(code) ? this.t(`api.${code}` as MessageKey) : this.t("api.unreachable")
  }

  /** the UI says this failure in its own words (else only the desk's English detail names it) */
  knowsFailure = (code: string): boolean => `api.${code}` in DICTS[this.lang]

  locale(): string {
    return this.lang === "ru" ? "ru-RU" : "en-GB"
  }
}

export const i18n = new I18n()
export const t = i18n.t
export type { MessageKey }
