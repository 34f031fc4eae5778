/**
 * What "today" is when a record is checked: a date may not lie in the future (a patient born in
 * 2030). Today is a calendar date, and a calendar date depends on a time zone: 00:30 in
 * Vladivostok is still yesterday in UTC. Until the clinic's time zone is known (issue #10), the
 * validators take the desk's clock in UTC and allow one day of slack, which covers every zone
 * from UTC-12 to UTC+14 (and a clock a few hours fast). With the clinic's zone,
 * `clinicToday(timeZone)` is exact and needs no slack.
 */
export interface DateContext {
  /** today's date, YYYY-MM-DD, where the clinic is */
  today(): string
  /** days past today that still count as "not in the future" */
  slackDays: number
}

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The earliest birth date taken as real: anything older is a typing mistake (0202 for 2020). */
export const EARLIEST_DATE = "1900-01-01"

/** Today by the desk's (or server's) clock in UTC, with a day of slack for zones east of UTC. */
export const deskClockToday = (now: () => Date = () => new Date()): DateContext => ({
  today: () => now().toISOString().slice(0, 10),
  slackDays: 1,
})

/** Today in an IANA time zone ("Europe/Moscow", "Asia/Vladivostok"): exact, no slack. */
export const clinicToday = (timeZone: string, now: () => Date = () => new Date()): DateContext => {
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
  return { today: () => format.format(now()), slackDays: 0 }
}

/** The latest date that is not in the future for `ctx`, YYYY-MM-DD. */
export const latestDate = (ctx: DateContext): string =>
  new Date(Date.parse(`${ctx.today()}T00:00:00.000Z`) + ctx.slackDays * DAY_MS).toISOString().slice(0, 10)

/** "2026-02-30" and "2026-13-01" are not dates even though they look like them. */
export const isCalendarDate = (s: string): boolean => {
  const m = DATE.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = new Date(0)
  t.setUTCFullYear(y, mo - 1, d) // Date.UTC would take years 0-99 as 1900-1999
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
}
