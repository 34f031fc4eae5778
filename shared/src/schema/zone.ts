/**
 * Calendar arithmetic in a clinic's time zone (IANA names: "Europe/Moscow", "Asia/Vladivostok"),
 * with Intl only: never the machine's own zone, never a fixed offset. A clinic's "day" and
 * "month" are its wall-clock ones: 00:30 in Vladivostok on the 1st is still the 31st in UTC.
 */

/**
 * The zone a desk uses until it has its clinic's profile (and the bridge's reports for a clinic
 * whose profile names none): the users are Russian clinics, most of them on Moscow time. The desk
 * shows a notice while it uses it.
 */
export const DEFAULT_TIME_ZONE = "Europe/Moscow"

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const MONTH = /^(\d{4})-(\d{2})$/
const TIME = /^(\d{2}):(\d{2})$/
/** what an IANA name looks like ("UTC", "Europe/Moscow", "America/Argentina/Buenos_Aires", "Etc/GMT-3") */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/

const formats = new Map<string, Intl.DateTimeFormat>()
const formatOf = (timeZone: string): Intl.DateTimeFormat => {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
    formats.set(timeZone, f)
  }
  return f
}

/** The canonical spelling of an IANA time zone name ("europe/moscow" -> "Europe/Moscow"), or undefined if Intl does not know it. */
export const canonicalTimeZone = (name: string): string | undefined => {
  if (typeof name !== "string" || !ZONE_NAME.test(name)) return undefined
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

export const isTimeZone = (name: string): boolean => canonicalTimeZone(name) !== undefined

export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

/** The wall clock in `timeZone` at an instant (milliseconds since the epoch). */
export const wallClockAt = (ms: number, timeZone: string): WallClock => {
  const out: Record<string, number> = {}
  for (const p of formatOf(timeZone).formatToParts(new Date(ms)))
    if (p.type !== "literal") out[p.type] = Number(p.value)
  return {
    year: out.year ?? 0,
    month: out.month ?? 0,
    day: out.day ?? 0,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  }
}

/** Milliseconds of a wall clock read as if it were UTC (years 0-99 stay years 0-99). */
const asUtc = (w: Omit<WallClock, "second"> & { second?: number }): number => {
  const d = new Date(0)
  d.setUTCFullYear(w.year, w.month - 1, w.day)
  d.setUTCHours(w.hour, w.minute, w.second ?? 0, 0)
  return d.getTime()
}

/** The zone's offset from UTC at an instant, in milliseconds (Moscow: +3 h). */
export const offsetAt = (ms: number, timeZone: string): number => {
  const whole = Math.floor(ms / 1000) * 1000
  return asUtc(wallClockAt(whole, timeZone)) - whole
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")
const toMs = (instant: string | number | Date): number =>
  typeof instant === "number" ? instant : typeof instant === "string" ? Date.parse(instant) : instant.getTime()

/** The clinic's calendar date (YYYY-MM-DD) at an instant (ISO string, milliseconds or Date). */
export const localDate = (instant: string | number | Date, timeZone: string): string => {
  const w = wallClockAt(toMs(instant), timeZone)
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`
}

/** The clinic's month (YYYY-MM) at an instant. */
export const localMonth = (instant: string | number | Date, timeZone: string): string =>
  localDate(instant, timeZone).slice(0, 7)

/** The clinic's wall-clock time (HH:MM) at an instant. */
export const localTime = (instant: string | number | Date, timeZone: string): string => {
  const w = wallClockAt(toMs(instant), timeZone)
  return `${pad(w.hour)}:${pad(w.minute)}`
}

/** A calendar date `days` later (or earlier), YYYY-MM-DD; no time zone is involved. */
export const addDays = (date: string, days: number): string => {
  const m = DATE.exec(date)
  if (!m) throw new Error(`not a date: ${date}`)
  const d = new Date(
    asUtc({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 12, minute: 0 }) + days * DAY_MS,
  )
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** The month after YYYY-MM. */
export const nextMonth = (month: string): string => {
  const m = MONTH.exec(month)
  if (!m) throw new Error(`not a month: ${month}`)
  const [y, mo] = [Number(m[1]), Number(m[2])]
  return mo === 12 ? `${pad(y + 1, 4)}-01` : `${pad(y, 4)}-${pad(mo + 1)}`
}

/**
 * The instant a wall-clock time of the clinic happens. Around a clock change: a time that does not
 * exist (skipped forward) is taken at the offset before the change, so it lands after the gap
 * (02:30 of a spring-forward night is 03:30); a time that happens twice is its first occurrence.
 */
export const zonedInstant = (date: string, time: string, timeZone: string): number => {
  const d = DATE.exec(date)
  const t = TIME.exec(time)
  if (!d || !t) throw new Error(`not a date and time: ${date} ${time}`)
  const wall = asUtc({
    year: Number(d[1]),
    month: Number(d[2]),
    day: Number(d[3]),
    hour: Number(t[1]),
    minute: Number(t[2]),
  })
  // the offsets in force around that wall time: a clock change within a day either side is covered
  const offsets = [...new Set([-DAY_MS, 0, DAY_MS].map(shift => offsetAt(wall + shift, timeZone)))]
  const exact = offsets.map(o => wall - o).filter(ms => asUtc(wallClockAt(ms, timeZone)) === wall)
  if (exact.length > 0) return Math.min(...exact)
  // a gap: the wall time was skipped; read it with the offset from before the change
  const before = offsetAt(wall - DAY_MS, timeZone)
  return wall - before
}

/** The ISO instant of a clinic's wall-clock date and time (see zonedInstant). */
export const zonedIso = (date: string, time: string, timeZone: string): string =>
  new Date(zonedInstant(date, time, timeZone)).toISOString()

/**
 * The first instant of a clinic's calendar date: its midnight, or the end of a clock change's gap
 * when midnight itself was skipped (some zones change their clocks at 00:00).
 */
export const dayStart = (date: string, timeZone: string): number => {
  const m = DATE.exec(date)
  if (!m) throw new Error(`not a date: ${date}`)
  const wall = asUtc({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0 })
  const offsets = [...new Set([-DAY_MS, 0, DAY_MS].map(shift => offsetAt(wall + shift, timeZone)))]
  const onTheDay = offsets.map(o => wall - o).filter(ms => localDate(ms, timeZone) === date)
  if (onTheDay.length === 0) throw new Error(`${date} does not exist in ${timeZone}`)
  let start = Math.min(...onTheDay)
  // the day began earlier only if the instant before is already on it (a gap at midnight: start is its end)
  while (localDate(start - 60_000, timeZone) === date) start -= 60_000
  return start
}

/** The instants [from, to) of a clinic's calendar date, as ISO strings. */
export const dayRange = (date: string, timeZone: string): { from: string; to: string } => ({
  from: new Date(dayStart(date, timeZone)).toISOString(),
  to: new Date(dayStart(addDays(date, 1), timeZone)).toISOString(),
})

/** The instants [from, to) of a clinic's month (YYYY-MM), as ISO strings. */
export const monthRange = (month: string, timeZone: string): { from: string; to: string } => ({
  from: new Date(dayStart(`${month}-01`, timeZone)).toISOString(),
  to: new Date(dayStart(`${nextMonth(month)}-01`, timeZone)).toISOString(),
})
