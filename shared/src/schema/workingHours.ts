import type { StaffRole, WorkingHours, WorkingSpan } from "./staff.js"
import { STAFF_ROLES } from "./staff.js"

type Weekday = keyof WorkingHours
const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"] as const satisfies readonly Weekday[]

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
const minutes = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))

/** The result of a parse: the value, or a message saying what is wrong with the text. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

/** Why a day's spans are not valid working hours ("HH:MM", from before to, not overlapping), or null. */
const spansProblem = (day: string, spans: readonly WorkingSpan[]): string | null => {
  const sorted = [...spans].sort((a, b) => a.from.localeCompare(b.from))
  for (const s of sorted) {
    if (!TIME.test(s.from) || !TIME.test(s.to))
      return `day ${day}: a time is HH:MM (00:00-23:59), got ${s.from}-${s.to}`
    if (minutes(s.to) <= minutes(s.from)) return `day ${day}: ${s.from}-${s.to} ends before it starts`
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as WorkingSpan
    const cur = sorted[i] as WorkingSpan
    if (minutes(cur.from) < minutes(prev.to))
      return `day ${day}: ${prev.from}-${prev.to} and ${cur.from}-${cur.to} overlap`
  }
  return null
}

/** Why a value is not WorkingHours (weekday keys "1"…"7", valid spans), or null when it is. */
export const workingHoursProblem = (v: unknown): string | null => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "working hours are an object of weekdays"
  for (const [day, spans] of Object.entries(v as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return `${day} is not a weekday (1 Monday … 7 Sunday)`
    if (!Array.isArray(spans)) return `day ${day}: spans are a list`
    for (const s of spans as unknown[]) {
      const o = s as Record<string, unknown> | null
      if (typeof o !== "object" || o === null || typeof o.from !== "string" || typeof o.to !== "string")
        return `day ${day}: a span is {from, to}`
    }
    const problem = spansProblem(day, spans as WorkingSpan[])
    if (problem) return problem
  }
  return null
}

/**
 * Parses working hours as staff type them: "1-5 09:00-18:00; 6 10:00-14:00" — groups separated by
 * ";", each a weekday or a range of weekdays (1 Monday … 7 Sunday, "1,3,5" lists), then one or more
 * spans "HH:MM-HH:MM" (separated by spaces or commas). "" is no working hours. A day named twice is
 * refused, as are overlapping or reversed spans.
 */
export const parseWorkingHours = (text: string): Parsed<WorkingHours> => {
  const out: WorkingHours = {}
  const fail = (error: string): Parsed<WorkingHours> => ({ ok: false, error })
  for (const raw of text.split(";")) {
    const group = raw.trim()
    if (group === "") continue
    const [daysText = "", ...rest] = group.split(/\s+/)
    const days: Weekday[] = []
    for (const part of daysText.split(",")) {
      const m = /^([1-7])(?:-([1-7]))?$/.exec(part)
      if (!m) return fail(`"${group}": days are 1 (Monday) to 7 (Sunday), e.g. 1-5 or 1,3,5`)
      const from = Number(m[1])
      const to = m[2] === undefined ? from : Number(m[2])
      if (to < from) return fail(`"${group}": ${part} runs backwards`)
      for (let d = from; d <= to; d++) days.push(String(d) as Weekday)
    }
    const spansText = rest
      .join(" ")
      .split(/[\s,]+/)
      .filter(s => s !== "")
    if (spansText.length === 0) return fail(`"${group}": no hours after the days (e.g. 09:00-18:00)`)
    const spans: WorkingSpan[] = []
    for (const s of spansText) {
      const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(s)
      if (!m) return fail(`"${group}": ${s} is not HH:MM-HH:MM`)
      spans.push({ from: m[1] as string, to: m[2] as string })
    }
    for (const d of days) {
      if (out[d]) return fail(`day ${d} is given twice`)
      const problem = spansProblem(d, spans)
      if (problem) return fail(problem)
      out[d] = [...spans].sort((a, b) => a.from.localeCompare(b.from))
    }
  }
  return { ok: true, value: out }
}

/** Working hours as parseWorkingHours reads them back (one group per day with spans, by weekday). */
export const formatWorkingHours = (h: WorkingHours): string =>
  WEEKDAYS.filter(d => (h[d]?.length ?? 0) > 0)
    .map(d => `${d} ${(h[d] ?? []).map(s => `${s.from}-${s.to}`).join(" ")}`)
    .join("; ")

/** A PIN: 4 to 8 digits. */
export const isPin = (pin: string): boolean => /^\d{4,8}$/.test(pin)

export const isStaffRole = (v: string): v is StaffRole => (STAFF_ROLES as readonly string[]).includes(v)
