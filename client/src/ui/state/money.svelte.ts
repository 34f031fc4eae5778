import { changeDue, parseRubles, type InvoiceState, type PaymentMethod } from "@vetsync/shared/schema"
import type { DeskArgs } from "../../core/api.js"
import type { MessageKey } from "../i18n/ru.js"

/** What the money dialog does: take a payment, give money back, or void the invoice. */
export type MoneyMode = "pay" | "refund" | "void"

/**
 * The money dialog's form: method, amount (what is due by default), cash tendered and the change,
 * a reason for a refund or a void. Amounts are typed in rubles ("1 500,50") and kept in kopecks.
 */
export class MoneyForm {
  mode = $state<MoneyMode>("pay")
  method = $state<PaymentMethod>("cash")
  amountText = $state("")
  tenderedText = $state("")
  reason = $state("")
  /** the most the amount may be: what is due (pay) or what may be refunded (refund) */
  limit = $state(0)

  readonly amount = $derived(parseRubles(this.amountText))
  readonly tendered = $derived(this.tenderedText.trim() === "" ? this.amount : parseRubles(this.tenderedText))
  /** change due for cash: tendered − amount; undefined while the cash does not cover it */
  readonly change = $derived(
    this.amount !== undefined && this.tendered !== undefined ? changeDue(this.tendered, this.amount) : undefined,
  )
  /** the first problem, as an i18n key, or "" when the form may be sent */
  readonly problem = $derived.by((): MessageKey | "" => {
    if (this.mode === "void") return this.reason.trim() === "" ? "money.needReason" : ""
    if (this.amount === undefined || this.amount <= 0) return "money.badAmount"
    if (this.amount > this.limit) return this.mode === "pay" ? "money.overDue" : "money.overPaid"
    if (this.mode === "pay" && this.method === "cash" && this.change === undefined) return "money.short"
    if (this.mode === "refund" && this.reason.trim() === "") return "money.needReason"
    return ""
  })

  open(mode: MoneyMode, limit: number): void {
    this.mode = mode
    this.limit = limit
    this.method = "cash"
    this.amountText = limit > 0 ? (limit / 100).toFixed(2).replace(".", ",") : ""
    this.tenderedText = ""
    this.reason = ""
  }

  /** the command and its arguments for invoice `id` */
  call(id: string):
    | { command: "invoices.pay"; args: DeskArgs<"invoices.pay"> }
    | { command: "invoices.refund"; args: DeskArgs<"invoices.refund"> }
    | { command: "invoices.void"; args: DeskArgs<"invoices.void"> } {
    const amount = this.amount ?? 0
    if (this.mode === "void") return { command: "invoices.void", args: { id, reason: this.reason } }
    if (this.mode === "refund") return { command: "invoices.refund", args: { id, method: this.method, reason: this.reason, amount } }
    const tendered = this.method === "cash" ? (this.tendered ?? amount) : undefined
    return { command: "invoices.pay", args: { id, payments: [{ method: this.method, amount, ...(tendered !== undefined ? { tendered } : {}) }] } }
  }
}

/** The i18n key of an invoice's status. */
export const stateKey = (s: InvoiceState): MessageKey =>
  (
    ({ issued: "inv.issued", partly_paid: "inv.partlyPaid", paid: "inv.paid", void: "inv.voided", refunded: "inv.refunded" }) as const
  )[s]
