import { formatKopecks, formatPhone } from "@vetsync/shared/schema"
import { dateOf, timeOf } from "../appointments/time.js"
import { formatDate, type DateLang } from "../forms/dates.js"

/** An instant as the clinic's date (ДД.ММ.ГГГГ, DD/MM/YYYY in English) and time of day. */
export const whenOf = (iso: string, locale: string, zone: string): string => `${dateOf(iso, locale, zone)} ${timeOf(iso, locale, zone)}`

/** What a history value is shown with: the UI's language and locale, the clinic's zone, its messages. */
export interface ValueFormat {
  lang: DateLang
  locale: string
  zone: string
  /** a message by key when the dictionary has it ("status.done"), else null */
  label: (key: string) => string | null
  lines: (n: number) => string
}

const INSTANTS = new Set(["start", "end", "issuedAt", "paidAt"])
const STATUS_FIELDS = new Set(["status", "sex"])

/**
 * A field's value as a record's history shows it: phones formatted, calendar dates ДД.ММ.ГГГГ
 * (DD/MM/YYYY in English), instants as the clinic's local date and time, money in rubles,
 * statuses and sexes in the UI's language; "" stays "" (the view shows a dash).
 */
export const formatHistoryValue = (field: string, value: string, f: ValueFormat): string => {
  if (value === "") return ""
  if (field === "phone") return formatPhone(value)
  if (field === "birthDate") return formatDate(value, f.lang)
  if (INSTANTS.has(field) && !Number.isNaN(Date.parse(value))) return whenOf(value, f.locale, f.zone)
  if (field === "total" && /^-?\d+$/.test(value)) return formatKopecks(Number(value), f.locale)
  if (STATUS_FIELDS.has(field)) return f.label(`${field}.${value}`) ?? value
  if (field === "lines" && value.startsWith("[")) {
    try {
      const lines: unknown = JSON.parse(value)
      if (Array.isArray(lines)) return f.lines(lines.length)
    } catch {
      // shown as it is
    }
  }
  return value
}
