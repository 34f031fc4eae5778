import { isCalendarDate } from "@vetsync/shared/schema"

/**
 * Dates and times as staff type and read them, whatever the browser's locale: a native
 * `<input type="date">` follows the browser (12/01/2026 on a Russian screen of a US-English
 * machine), so the desk's date fields are text fields read by these functions.
 *
 * Shown day first in both languages: ДД.ММ.ГГГГ in Russian; DD/MM/YYYY in English, the en-GB
 * convention the English UI already uses for every other date (invoice dates, sync times), so
 * one screen never mixes 17.12.2026 with 17/12/2026, and a desk switched to English never
 * reads 05/06 as the 6th of May. Either form is read in either language.
 */

export type DateLang = "ru" | "en"

const SEPARATOR: Record<DateLang, string> = { ru: ".", en: "/" }

/** what an empty date field shows */
export const DATE_PLACEHOLDER: Record<DateLang, string> = { ru: "ДД.ММ.ГГГГ", en: "DD/MM/YYYY" }
export const TIME_PLACEHOLDER: Record<DateLang, string> = { ru: "ЧЧ:ММ", en: "HH:MM" }

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/** "2012-12-17" -> "17.12.2012" (ru) / "17/12/2012" (en); anything that is not a date comes back as it is */
export const formatDate = (date: string, lang: DateLang = "ru"): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) return date
  const sep = SEPARATOR[lang]
  return `${m[3]}${sep}${m[2]}${sep}${m[1]}`
}

/** day, month, year: 17.12.2012, 1.2.2026, 17/12/2012, 17-12-2012, 17 12 2012 */
const DAY_FIRST = /^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$/
/** the same typed without separators: 17122012 */
const DIGITS = /^(\d{2})(\d{2})(\d{4})$/
/** pasted from elsewhere: 2012-12-17 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * What staff typed as a calendar date, YYYY-MM-DD; null when it is not one (31.02.2026,
 * 17.13.2012, a two-digit year: 17.12.12 could be 1912 or 2012). Spaces around are ignored.
 */
export const parseDate = (text: string): string | null => {
  const t = text.trim()
  const dayFirst = DAY_FIRST.exec(t) ?? DIGITS.exec(t)
  const iso = dayFirst ? null : ISO.exec(t)
  const [y, m, d] = dayFirst
    ? [Number(dayFirst[3]), Number(dayFirst[2]), Number(dayFirst[1])]
    : iso
      ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
      : [NaN, NaN, NaN]
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null
  const date = `${pad(y, 4)}-${pad(m)}-${pad(d)}`
  return isCalendarDate(date) ? date : null
}

/** A date field's text on leaving it: the canonical form of a date, else the text as typed (its error says why). */
export const tidyDate = (text: string, lang: DateLang): string => {
  const date = parseDate(text)
  return date ? formatDate(date, lang) : text
}

/**
 * What staff typed as a time of day, HH:MM; null when it is not one. Reads 9:30, 09:30, 9.30,
 * 0930, 930 and a bare hour (9 is 09:00).
 */
export const parseTime = (text: string): string | null => {
  const t = text.trim()
  const m = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(t) ?? /^(\d{1,2})(\d{2})$/.exec(t)
  if (!m) return null
  const [h, min] = [Number(m[1]), Number(m[2] ?? "0")]
  return h <= 23 && min <= 59 ? `${pad(h)}:${pad(min)}` : null
}
