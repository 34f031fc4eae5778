import { PAYMENT_METHODS, type Invoice, type Payment, type PaymentMethod } from "@vetsync/shared"

/** Money of one kind (sales or refunds): kopecks per payment method, their sum and how many. */
export interface MoneyByMethodView {
  byMethod: Record<PaymentMethod, number>
  /** kopecks */
  total: number
  count: number
}

/**
 * The end-of-day cash report from the payment records (what PostgreSQL's report_end_of_day_desk
 * and report_end_of_day_clinic hold, to the kopeck, once every desk's payments reached it): one
 * desk's, or the clinic's (every desk's payments this desk has merged).
 */
export interface EndOfDayView {
  /** YYYY-MM-DD in the clinic's zone */
  date: string
  timeZone: string
  /** the desk reported, or null: every desk */
  deskId: string | null
  sales: MoneyByMethodView
  refunds: MoneyByMethodView
  /** invoices voided that day: how many, and their totals in kopecks */
  voids: { count: number; total: number }
  /** kopecks: cash taken minus cash given back (change is not in the amounts) */
  cashInDrawer: number
  /** the day's payment records whose receipt is not printed yet (pending or failed) */
  unfiscalised: number
}

const empty = (): MoneyByMethodView => ({
  byMethod: Object.fromEntries(PAYMENT_METHODS.map(m => [m, 0])) as Record<PaymentMethod, number>,
  total: 0,
  count: 0,
})

/** Sums a day's payments, refunds and voids (already of the day), of one desk or (deskId null) all. */
export const endOfDay = (
  day: { payments: readonly Payment[]; voided: readonly Pick<Invoice, "total" | "voidedBy">[] },
  meta: { date: string; timeZone: string; deskId: string | null },
): EndOfDayView => {
  const sales = empty()
  const refunds = empty()
  let unfiscalised = 0
  for (const p of day.payments) {
    if (meta.deskId !== null && p.desk !== meta.deskId) continue
    const into = p.kind === "payment" ? sales : refunds
    into.byMethod[p.method] += p.amount
    into.total += p.amount
    into.count++
    if (p.fiscalState === "pending" || p.fiscalState === "failed") unfiscalised++
  }
  const voided = day.voided.filter(i => meta.deskId === null || i.voidedBy === meta.deskId)
  return {
    ...meta,
    sales,
    refunds,
    voids: { count: voided.length, total: voided.reduce((s, i) => s + i.total, 0) },
    cashInDrawer: sales.byMethod.cash - refunds.byMethod.cash,
    unfiscalised,
  }
}
