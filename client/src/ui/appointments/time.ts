import { addDays, localDate, localTime, minuteOf, zonedIso } from "@vetsync/shared/schema"

/**
 * Dates and times as the clinic reads them: in its time zone (`zone`, from the desk's
 * clinic.profile), never in the zone of the machine the browser runs on.
 */
export const todayIn = (zone: string, now = Date.now()): string => localDate(now, zone)

/** "YYYY-MM-DD" + "HH:MM" on the clinic's clock -> ISO UTC */
export const clinicTimeToIso = (date: string, time: string, zone: string): string => zonedIso(date, time, zone)

export const addMinutes = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString()

/** "09:30" on the clinic's clock */
export const timeOf = (iso: string, locale: string, zone: string): string =>
  new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone: zone })

/** a date as staff read it, on the clinic's calendar */
export const dateOf = (iso: string, locale: string, zone: string, long = false): string =>
  new Date(iso).toLocaleDateString(
    locale,
    long ? { day: "2-digit", month: "long", year: "numeric", timeZone: zone } : { timeZone: zone },
  )

/** date and time on the clinic's clock */
export const dateTimeOf = (iso: string, locale: string, zone: string): string =>
  new Date(iso).toLocaleString(locale, { timeZone: zone })

export const shiftDay = (date: string, days: number): string => addDays(date, days)

/** minutes since the clinic's midnight of `date` at an instant (0 or 1440 when it is another day) */
export const minuteIn = (iso: string, date: string, zone: string): number => {
  const day = localDate(iso, zone)
  if (day < date) return 0
  if (day > date) return 1440
  return minuteOf(localTime(iso, zone))
}
