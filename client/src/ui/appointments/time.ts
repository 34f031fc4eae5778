/** Local-time helpers for the day view and the booking form. */
export const pad = (n: number): string => String(n).padStart(2, "0")

export const todayLocal = (d = new Date()): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** "YYYY-MM-DD" + "HH:MM" in local time -> ISO UTC */
export const localToIso = (date: string, time: string): string => new Date(`${date}T${time}:00`).toISOString()

export const addMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString()

export const timeOf = (iso: string, locale: string): string =>
  new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })

export const shiftDay = (date: string, days: number): string => {
  const d = new Date(`${date}T12:00:00`)
  d.setDate(d.getDate() + days)
  return todayLocal(d)
}
