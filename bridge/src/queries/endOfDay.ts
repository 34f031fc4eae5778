import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

/**
 * The end-of-day cash report in PostgreSQL (migration 0017's views), for one day of the clinic
 * (its time zone): one row per desk that moved money or voided an invoice that day, or the
 * clinic's row (desk "" : every desk). Money in kopecks.
 */
export interface EndOfDayRow {
  /** the desk's id; "" for the clinic's row */
  desk: string
  sales: number
  sales_cash_kopecks: number
  sales_card_kopecks: number
  sales_transfer_kopecks: number
  sales_kopecks: number
  refunds: number
  refunds_cash_kopecks: number
  refunds_card_kopecks: number
  refunds_transfer_kopecks: number
  refunds_kopecks: number
  voids: number
  voids_kopecks: number
  cash_in_drawer_kopecks: number
}

export const END_OF_DAY_COLUMNS = [
  "sales",
  "sales_cash_kopecks",
  "sales_card_kopecks",
  "sales_transfer_kopecks",
  "sales_kopecks",
  "refunds",
  "refunds_cash_kopecks",
  "refunds_card_kopecks",
  "refunds_transfer_kopecks",
  "refunds_kopecks",
  "voids",
  "voids_kopecks",
  "cash_in_drawer_kopecks",
] as const satisfies readonly (keyof EndOfDayRow)[]

const numbers = (r: Record<string, unknown>): EndOfDayRow => {
  const row = { desk: typeof r.desk === "string" ? r.desk : "" } as EndOfDayRow
  for (const c of END_OF_DAY_COLUMNS) row[c] = Number(r[c] ?? 0)
  return row
}

/** The desks' rows of the day (one desk's when `deskId` is given), by desk id. */
export const endOfDayDesks = async (db: Db, q: { clinicId: string; date: string; deskId?: string }): Promise<EndOfDayRow[]> =>
  (
    await db.query<Record<string, unknown>>(
      `SELECT desk_id AS desk, ${END_OF_DAY_COLUMNS.join(", ")} FROM report_end_of_day_desk
       WHERE clinic_id = $1 AND day = $2::date AND ($3::text IS NULL OR desk_id = $3) ORDER BY desk_id`,
      [q.clinicId, q.date, q.deskId ?? null],
    )
  ).rows.map(numbers)

/** The clinic's row of the day (zeros when no money moved). */
export const endOfDayClinic = async (db: Db, q: { clinicId: string; date: string }): Promise<EndOfDayRow> => {
  const r = (
    await db.query<Record<string, unknown>>(
      `SELECT '' AS desk, ${END_OF_DAY_COLUMNS.join(", ")} FROM report_end_of_day_clinic WHERE clinic_id = $1 AND day = $2::date`,
      [q.clinicId, q.date],
    )
  ).rows[0]
  return numbers(r ?? {})
}
