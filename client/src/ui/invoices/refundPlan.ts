import {
  lineTotal,
  parseRubles,
  refundedQtyByLine,
  type FieldError,
  type Invoice,
  type PaymentMethod,
} from "@vetsync/shared/schema"
import type { DeskArgs } from "../../core/api.js"
import { parseQty, qtyProblem } from "../state/qty.js"

/** A line of the invoice as the refund dialog lists it: what was sold and what may still be given back. */
export interface RefundableLine {
  id: string
  code: string
  name: string
  /** kopecks per unit, as sold */
  price: number
  /** thousandths of a unit sold */
  soldMilli: number
  /** thousandths of a unit not yet returned by earlier refunds of lines */
  leftMilli: number
}

/** The invoice's lines and how much of each is left to return (what the command allows: refundInvoice). */
export const refundableLines = (invoice: Pick<Invoice, "lines" | "payments">): RefundableLine[] => {
  const returned = refundedQtyByLine(invoice.payments)
  return invoice.lines.map(l => ({
    id: l.id,
    code: l.code,
    name: l.name,
    price: l.price,
    soldMilli: l.qtyMilli,
    leftMilli: Math.max(0, l.qtyMilli - (returned.get(l.id) ?? 0)),
  }))
}

/** The refund dialog as typed: a quantity per line id ("" or "0": not returned), else an amount in rubles. */
export interface RefundText {
  qty: Record<string, string>
  amount: string
  method: PaymentMethod
  reason: string
}

export interface RefundPlan {
  /** lines: quantities of lines given back; amount: a sum typed; none: nothing chosen yet */
  mode: "lines" | "amount" | "none"
  /** kopecks given back (what staff see before they confirm) */
  sum: number
  /** the command's arguments, or null while there is a problem */
  args: DeskArgs<"invoices.refund"> | null
  /** per line (`lines.<lineId>`), `amount`, `reason` */
  errors: FieldError[]
}

const problem = (field: string, code: string): FieldError => ({ field, code, message: code })

const untouched = (text: string | undefined): boolean => {
  const t = (text ?? "").trim()
  return t === "" || /^0+([.,]0*)?$/.test(t)
}

/**
 * What the refund dialog would send for invoice `id`: the lines with a quantity (each a quantity
 * with at most 3 decimals, no more than is left of it), else the amount typed; never more than
 * `refundable` (paid and not yet refunded, kopecks); a reason always.
 */
export const refundPlan = (id: string, lines: readonly RefundableLine[], text: RefundText, refundable: number): RefundPlan => {
  const errors: FieldError[] = []
  const picked: { lineId: string; qtyMilli: number }[] = []
  let sum = 0
  for (const line of lines) {
    const typed = text.qty[line.id]
    if (untouched(typed)) continue
    const field = `lines.${line.id}`
    const qtyMilli = parseQty(typed ?? "")
    if (qtyMilli === undefined) {
      errors.push(problem(field, qtyProblem(typed ?? "") ?? "qty_format"))
      continue
    }
    if (qtyMilli > line.leftMilli) errors.push(problem(field, "over_sold"))
    picked.push({ lineId: line.id, qtyMilli })
    sum += lineTotal(line.price, qtyMilli)
  }
  const linesTyped = picked.length > 0 || errors.length > 0
  let mode: RefundPlan["mode"] = linesTyped ? "lines" : "none"
  if (!linesTyped && text.amount.trim() !== "") {
    mode = "amount"
    const amount = parseRubles(text.amount)
    if (amount === undefined || amount <= 0) errors.push(problem("amount", "bad_amount"))
    else sum = amount
  }
  if (mode === "none") errors.push(problem("amount", "nothing_chosen"))
  if (sum > refundable) errors.push(problem("amount", "over_paid"))
  if (text.reason.trim() === "") errors.push(problem("reason", "required"))
  const base = { id, method: text.method, reason: text.reason.trim() }
  const args = errors.length > 0 ? null : mode === "lines" ? { ...base, lines: picked } : { ...base, amount: sum }
  return { mode, sum, args, errors }
}
