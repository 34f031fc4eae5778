import type { WorkingHours, WorkingSpan } from "./staff.js"
import { addDays, localDate, localTime, zonedInstant } from "./zone.js"

/**
 * The booking grid's arithmetic: 15-minute slots of the clinic's day (its time zone, never the
 * machine's), which of them a vet works, which are taken, the next free one, and which bookings
 * a new one would overlap. Pure: the desk core refuses overlaps with it, the UI draws the grid.
 */

/** the grid's step, minutes */
export const SLOT_MINUTES = 15

/** A time interval [start, end) as ISO instants (with or without milliseconds). */
export interface Interval {
  start: string
  end: string
}

/** A slot of the grid: the clinic's wall-clock time and the instants it covers. */
export interface Slot extends Interval {
  /** "HH:MM" on the clinic's clock */
  time: string
  /** minutes since the clinic's midnight, by its wall clock */
  minute: number
}

const ms = (iso: string): number => Date.parse(iso)

/** [a) and [b) intersect; touching ends do not */
export const intervalsOverlap = (a: Interval, b: Interval): boolean =>
  ms(a.start) < ms(b.end) && ms(b.start) < ms(a.end)

/** The bookings among `taken` that `candidate` intersects (the caller passes one vet's live bookings). */
export const overlapsOf = <T extends Interval>(candidate: Interval, taken: readonly T[]): T[] =>
  taken.filter(t => intervalsOverlap(candidate, t))

/** "HH:MM" -> minutes since midnight */
export const minuteOf = (time: string): number => {
  const m = /^(\d{2}):(\d{2})$/.exec(time)
  if (!m) throw new Error(`not a time HH:MM: ${time}`)
  return Number(m[1]) * 60 + Number(m[2])
}

/** minutes since midnight -> "HH:MM" (0 ≤ minute < 1440) */
export const timeOfMinute = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`

/** ISO weekday of a calendar date: "1" Monday … "7" Sunday */
export const isoWeekday = (date: string): "1" | "2" | "3" | "4" | "5" | "6" | "7" => {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay()
  return String(d === 0 ? 7 : d) as "1" | "2" | "3" | "4" | "5" | "6" | "7"
}

/** The spans a vet works on a calendar date of the clinic (none: a day off). */
export const spansOn = (hours: WorkingHours, date: string): WorkingSpan[] => hours[isoWeekday(date)] ?? []

/** The vet works the whole slot starting at `minute` (of `length` minutes) on `date`. */
export const worksAt = (hours: WorkingHours, date: string, minute: number, length = SLOT_MINUTES): boolean =>
  spansOn(hours, date).some(s => minuteOf(s.from) <= minute && minute + length <= minuteOf(s.to))

/** The slots of a clinic's day from `fromMinute` to `toMinute` (multiples of the step), on its wall clock. */
export const daySlots = (date: string, zone: string, fromMinute: number, toMinute: number, step = SLOT_MINUTES): Slot[] => {
  const out: Slot[] = []
  for (let minute = fromMinute; minute < toMinute; minute += step) {
    const time = timeOfMinute(minute)
    const start = zonedInstant(date, time, zone)
    const end = minute + step >= 1440 ? zonedInstant(addDays(date, 1), "00:00", zone) : zonedInstant(date, timeOfMinute(minute + step), zone)
    // a wall time a clock change skips (02:00-02:59 in Berlin's spring, 00:00-00:59 in Santiago's)
    // lands after the gap, as another slot's start: it is no slot of the day (kept, it took the
    // real slot's place under the skipped time)
    if (end <= start || localTime(new Date(start).toISOString(), zone) !== time) continue
    out.push({ time, minute, start: new Date(start).toISOString(), end: new Date(end).toISOString() })
  }
  return out
}

/** The slots of `date` the vet works in that no booking of `taken` touches. */
export const freeSlots = (date: string, zone: string, hours: WorkingHours, taken: readonly Interval[], step = SLOT_MINUTES): Slot[] =>
  daySlots(date, zone, 0, 1440, step).filter(s => worksAt(hours, date, s.minute, step) && overlapsOf(s, taken).length === 0)

/**
 * The first start at or after `now` (rounded up to the grid) where the vet works and is free for
 * `minutes`, within `days` of the clinic's calendar; null when there is none. Never a time
 * already past.
 */
export const nextFreeSlot = (
  now: number,
  zone: string,
  hours: WorkingHours,
  taken: readonly Interval[],
  minutes = SLOT_MINUTES,
  days = 14,
  step = SLOT_MINUTES,
): Slot | null => {
  const today = localDate(now, zone)
  for (let d = 0; d < days; d++) {
    const date = addDays(today, d)
    for (const s of daySlots(date, zone, 0, 1440, step)) {
      if (ms(s.start) < now || !worksAt(hours, date, s.minute, minutes)) continue
      const wanted = { start: s.start, end: new Date(ms(s.start) + minutes * 60_000).toISOString() }
      if (overlapsOf(wanted, taken).length === 0) return { ...s, end: wanted.end }
    }
  }
  return null
}

/** The slot's start time on the clinic's clock for an instant, rounded down to the grid. */
export const slotMinuteOf = (instant: string, zone: string, step = SLOT_MINUTES): number => {
  const m = minuteOf(localTime(instant, zone))
  return m - (m % step)
}

/** Mon–Sat 09:00–18:00: the hours a vet of the roster works until the staff list says otherwise. */
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.fromEntries(
  (["1", "2", "3", "4", "5", "6"] as const).map(d => [d, [{ from: "09:00", to: "18:00" }]]),
)
