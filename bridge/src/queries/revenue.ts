import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

/**
 * Revenue for the back office (migration 0014's views), for any period of the clinic's days
 * [from, to] inclusive, counted in the clinic's time zone. Money in kopecks.
 * - accrual: invoices issued (not void), by the day of issue;
 * - cash: payments minus refunds, by the day the money moved (an old invoice marked paid without
 *   payment rows: its total, the day it was paid).
 * Per service and per vet: the lines of invoices issued in the period (accrual).
 */
export type RevenueBasis = "accrual" | "cash"
export type RevenueBy = "day" | "service" | "vet"

export interface RevenueRow {
  /** the day (YYYY-MM-DD), the item's code and name, or the vet */
  key: string
  name: string
  /** invoices (accrual), or payments and refunds (cash), or lines (service) */
  count: number
  /** the quantity sold (service), else 0 */
  quantity: number
  revenue_kopecks: number
}

const BY_DAY: Record<RevenueBasis, string> = {
  accrual: `SELECT to_char(day, 'YYYY-MM-DD') AS key, '' AS name, invoices::int AS count, 0 AS quantity,
              revenue_kopecks::bigint AS revenue_kopecks
            FROM report_revenue_accrual_day WHERE clinic_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`,
  cash: `SELECT to_char(day, 'YYYY-MM-DD') AS key, '' AS name, (payments + refunds)::int AS count, 0 AS quantity,
           revenue_kopecks::bigint AS revenue_kopecks
         FROM report_revenue_cash_day WHERE clinic_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`,
}

const BY_SERVICE = `SELECT code AS key, item AS name, count(*)::int AS count, sum(quantity)::float8 AS quantity,
    sum(total_kopecks)::bigint AS revenue_kopecks
  FROM report_invoice_lines WHERE clinic_id = $1 AND day BETWEEN $2::date AND $3::date AND status <> 'void'
  GROUP BY code, item ORDER BY revenue_kopecks DESC, code`

const BY_VET = `SELECT vet AS key, '' AS name, count(DISTINCT invoice_id)::int AS count, 0 AS quantity,
    sum(total_kopecks)::bigint AS revenue_kopecks
  FROM report_invoice_lines WHERE clinic_id = $1 AND day BETWEEN $2::date AND $3::date AND status <> 'void'
  GROUP BY vet ORDER BY revenue_kopecks DESC, vet`

export const revenue = async (
  db: Db,
  q: { clinicId: string; from: string; to: string; by: RevenueBy; basis: RevenueBasis },
): Promise<RevenueRow[]> => {
  if (q.by !== "day" && q.basis === "cash")
    throw new Error("per service and per vet, revenue is counted on issue (accrual)")
  const sql = q.by === "day" ? BY_DAY[q.basis] : q.by === "service" ? BY_SERVICE : BY_VET
  const rows = (await db.query<RevenueRow>(sql, [q.clinicId, q.from, q.to])).rows
  return rows.map(r => ({
    ...r,
    count: Number(r.count),
    quantity: Number(r.quantity),
    revenue_kopecks: Number(r.revenue_kopecks),
  }))
}
