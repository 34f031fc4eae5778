/**
 * A patient's age on a day: whole years, and whole months for the young. Counted on the
 * calendar, as a birthday is: a year (a month) is complete on the same day of the month, or on
 * the month's last day when it has no such day (born 29 February: a year old on 28 February of
 * a common year; born 31 January: a month old on 28 or 29 February).
 */
export interface Age {
  years: number
  /** whole months in all (14 for a year and two months) */
  months: number
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

const parts = (date: string): [number, number, number] | null => {
  const m = DATE.exec(date)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null
}

/** The age on `today` of one born on `birth` (both YYYY-MM-DD); null when born after today or not dates. */
export const ageOn = (birth: string, today: string): Age | null => {
  const b = parts(birth)
  const t = parts(today)
  if (!b || !t || birth > today) return null
  const [by, bm, bd] = b
  const [ty, tm, td] = t
  // this month's anniversary of the birth day (the month's last day when it is shorter)
  const anniversary = Math.min(bd, daysIn(ty, tm))
  const months = (ty - by) * 12 + (tm - bm) - (td < anniversary ? 1 : 0)
  return { years: Math.floor(months / 12), months }
}
