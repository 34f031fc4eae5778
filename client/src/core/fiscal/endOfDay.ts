import type { QueuedReceipt } from "./ReceiptQueue.js"
import { PAYMENT_METHODS, type PaymentMethod } from "./types.js"

export interface MoneyByMethod {
  /** kopecks per payment method */
  byMethod: Record<PaymentMethod, number>
  /** kopecks */
  total: number
  /** receipts */
  count: number
}

/** A desk's cash report for one day of the clinic (from the receipts its register fiscalised). */
export interface DayReport {
  /** YYYY-MM-DD in the clinic's zone */
  date: string
  timeZone: string
  deskId: string
  sales: MoneyByMethod
  refunds: MoneyByMethod
  /** kopecks: cash taken minus cash refunded (the drawer's change from the day's receipts) */
  cashInDrawer: number
  /** receipts of the day not fiscalised yet (pending, sending or failed): not counted above */
  unfiscalised: number
}

const empty = (): MoneyByMethod => ({
  byMethod: Object.fromEntries(PAYMENT_METHODS.map(m => [m, 0])) as Record<PaymentMethod, number>,
  total: 0,
  count: 0,
})

/**
 * Sums the day's receipts by sign and payment method. Only receipts the register fiscalised
 * count: a failed receipt took no money on paper yet and is reported as unfiscalised.
 */
export const dayReport = (
  receipts: readonly QueuedReceipt[],
  meta: { date: string; timeZone: string; deskId: string },
): DayReport => {
  const sales = empty()
  const refunds = empty()
  let unfiscalised = 0
  for (const r of receipts) {
    if (r.state !== "done") {
      unfiscalised++
      continue
    }
    const into = r.sign === "sell" ? sales : refunds
    into.count++
    for (const p of r.payments) {
      into.byMethod[p.method] += p.amount
      into.total += p.amount
    }
  }
  return { ...meta, sales, refunds, cashInDrawer: sales.byMethod.cash - refunds.byMethod.cash, unfiscalised }
}
