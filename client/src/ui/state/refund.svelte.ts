import type { PaymentMethod } from "@vetsync/shared/schema"
import type { InvoiceView } from "../../core/api.js"
import { refundPlan, refundableLines, type RefundableLine } from "../invoices/refundPlan.js"
import { qtyText } from "./qty.js"

/**
 * The refund dialog's form for one invoice, as it was when the dialog opened: a quantity to give
 * back per line (a tick fills in all that is left), else an amount; a method and a reason.
 */
export class RefundForm {
  readonly id: string
  readonly lines: RefundableLine[]
  /** paid and not yet refunded, kopecks */
  readonly refundable: number
  qty = $state<Record<string, string>>({})
  amount = $state("")
  method = $state<PaymentMethod>("cash")
  reason = $state("")

  constructor(invoice: InvoiceView) {
    this.id = invoice.id
    this.lines = refundableLines(invoice)
    this.refundable = invoice.money.refundable
    // money goes back the way it came: the method of the last payment
    this.method = invoice.payments.filter(p => p.kind === "payment").at(-1)?.method ?? "cash"
  }

  readonly plan = $derived.by(() =>
    refundPlan(this.id, this.lines, { qty: this.qty, amount: this.amount, method: this.method, reason: this.reason }, this.refundable),
  )

  /** the line is given back (some quantity typed) */
  picked(lineId: string): boolean {
    const t = (this.qty[lineId] ?? "").trim()
    return t !== "" && !/^0+([.,]0*)?$/.test(t)
  }

  /** the tick: all that is left of the line, or none of it */
  toggle(line: RefundableLine): void {
    this.qty[line.id] = this.picked(line.id) ? "" : qtyText(line.leftMilli).replace(".", ",")
  }
}
