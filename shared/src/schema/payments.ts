import type { Invoice } from "./records.js"

/**
 * Payments and refunds: records of their own, one per taking of money (or giving it back), kept in
 * the invoice's month document keyed by "<invoiceId>:<paymentId>", so that two desks taking money
 * for one invoice while apart both keep theirs. An invoice's status follows from them (invoiceState).
 * Money is integer kopecks.
 */
export const PAYMENT_METHODS = ["cash", "card", "transfer"] as const
export type PaymentMethod = (typeof PAYMENT_METHODS)[number]

export const PAYMENT_KINDS = ["payment", "refund"] as const
export type PaymentKind = (typeof PAYMENT_KINDS)[number]

/**
 * Where the payment's fiscal receipt is (54-FZ; the cash-register work fills it in): "none" (no
 * register, or not fiscalised), "pending" (to be printed), "printed", "failed" (to be retried).
 */
export const FISCAL_STATES = ["none", "pending", "printed", "failed"] as const
export type FiscalState = (typeof FISCAL_STATES)[number]

/** A line given back by a refund: the invoice line, the quantity returned and the money for it. */
export interface RefundLine {
  lineId: string
  /** thousandths of a unit */
  qtyMilli: number
  /** kopecks */
  amount: number
}

export interface Payment {
  id: string
  invoiceId: string
  kind: PaymentKind
  method: PaymentMethod
  /** kopecks taken (payment) or given back (refund); always above 0 */
  amount: number
  /** cash handed over by the client (cash payments), else 0 */
  tendered: number
  /** change given: tendered − amount (cash payments), else 0 */
  change: number
  /** a refund of lines: which and how much; empty for a payment or a refund of an amount */
  lines: RefundLine[]
  /** why the money was given back ("" for a payment) */
  reason: string
  /** ISO instant */
  at: string
  /** the desk that took it */
  desk: string
  /** the signed-in staff member's id ("" when nobody was signed in) */
  staff: string
  fiscalState: FiscalState
  /** the fiscal document's number and fiscal sign, "" until printed */
  fiscalNumber: string
  fiscalSign: string
}

/** The status an invoice shows: from its payments, its void mark and (old invoices) its stored status. */
export const INVOICE_STATES = ["issued", "partly_paid", "paid", "void", "refunded"] as const
export type InvoiceState = (typeof INVOICE_STATES)[number]

/** The document key of a payment in its invoice's month document. */
export const paymentKey = (invoiceId: string, paymentId: string): string => `${invoiceId}:${paymentId}`

export interface InvoiceMoney {
  /** taken by payments */
  paid: number
  /** given back by refunds */
  refunded: number
  /** paid − refunded */
  net: number
  /** still to pay: max(0, total − paid) while not void, else 0; money given back is never asked for again */
  due: number
  /** what may still be refunded: max(0, net) */
  refundable: number
}

/**
 * An old invoice marked "paid" before payments were records (no payment record, refunds aside):
 * counted as paid in full, by an unknown method.
 */
export const isLegacyPaid = (inv: Pick<Invoice, "status" | "payments">): boolean =>
  inv.status === "paid" && !inv.payments.some(p => p.kind === "payment")

export const invoiceMoney = (inv: Pick<Invoice, "status" | "payments" | "total">): InvoiceMoney => {
  let paid = 0
  let refunded = 0
  for (const p of inv.payments)
    if (p.kind === "payment") paid += p.amount
    else refunded += p.amount
  if (isLegacyPaid(inv)) paid = inv.total
  const net = paid - refunded
  return {
    paid,
    refunded,
    net,
    due: inv.status === "void" ? 0 : Math.max(0, inv.total - paid),
    refundable: Math.max(0, net),
  }
}

/**
 * The invoice's status: void when voided; refunded when any money was given back (all of it, or a
 * line: the invoice's money shows how much); paid when the payments cover the total; partly paid
 * when some is paid; else issued.
 */
export const invoiceState = (inv: Pick<Invoice, "status" | "payments" | "total">): InvoiceState => {
  if (inv.status === "void") return "void"
  const m = invoiceMoney(inv)
  if (m.refunded > 0) return "refunded"
  if (m.net >= inv.total && (m.paid > 0 || inv.total === 0)) return "paid"
  if (m.net > 0) return "partly_paid"
  return "issued"
}

/**
 * The `status` the back office has always read (issued, paid, void), now that payments are records
 * of their own: paid once its payments cover it, void when voided, else issued (`invoiceState` has
 * the detail: partly paid, refunded). Desks and the bridge both show this one.
 */
export const invoiceStatus = (inv: Pick<Invoice, "status" | "payments" | "total">): "issued" | "paid" | "void" => {
  const state = invoiceState(inv)
  return state === "paid" || state === "void" ? state : "issued"
}

/**
 * When it was paid: as the invoice says (marked paid before payments existed), or the time of the
 * last payment once its payments took the whole total. Paid stays paid: a later refund, or a void
 * made on another desk that had not seen the payment, does not unsay when the money came in.
 */
export const invoicePaidAt = (inv: Pick<Invoice, "payments" | "total" | "paidAt">): string => {
  if (inv.paidAt) return inv.paidAt
  const payments = inv.payments.filter(p => p.kind === "payment")
  const paid = payments.reduce((s, p) => s + p.amount, 0)
  return paid > 0 && paid >= inv.total ? (payments.at(-1)?.at ?? "") : ""
}

/** Change due for cash: tendered − due (never below 0; undefined when the tendered cash does not cover it). */
export const changeDue = (tendered: number, amount: number): number | undefined =>
  tendered >= amount ? tendered - amount : undefined

/** Money already refunded per invoice line (by refunds of lines). */
export const refundedQtyByLine = (payments: readonly Payment[]): Map<string, number> => {
  const out = new Map<string, number>()
  for (const p of payments)
    if (p.kind === "refund") for (const l of p.lines) out.set(l.lineId, (out.get(l.lineId) ?? 0) + l.qtyMilli)
  return out
}

/** The payment and void fields of an invoice that has neither (new invoices, fixtures, seeds). */
export const noPaymentsYet = (): Pick<
  Invoice,
  "payments" | "voidReason" | "voidedAt" | "voidedBy" | "voidedStaff"
> => ({
  payments: [],
  voidReason: "",
  voidedAt: "",
  voidedBy: "",
  voidedStaff: "",
})
