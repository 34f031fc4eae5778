import { DEFAULT_VAT, type Invoice, type InvoiceLine, type Payment } from "@vetsync/shared"
import { lineAmount } from "./receipt.js"
import type { Cashier, ItemKind, ReceiptItem, ReceiptRequest, VatRate } from "./types.js"

/**
 * The receipt of a taking of money (one or several payment records of one command: a mixed
 * payment is one receipt with a payment entry per method) or of a refund. Pure: the caller gives
 * the invoice, the VAT rate of each price item and who the cashier and the client are.
 *
 * - A payment sells the invoice's lines in their order, from where earlier payments stopped: a
 *   line the payment covers whole keeps its quantity and price; a line it covers in part is one
 *   unit at the part paid (its name and VAT rate kept). The items add up to the payment's amount.
 * - A refund of lines gives back those lines' quantities at their price (a line whose refunded
 *   money is not price × quantity, by rounding, is one unit at that money).
 * - A refund of an amount is one item for the amount, at the VAT rate of the invoice's largest line.
 */
export interface PaymentReceiptInput {
  invoice: Pick<Invoice, "number" | "lines" | "payments" | "total">
  /** the payment records of one command (same kind); the first one's id is the receipt's key */
  payments: readonly Payment[]
  /** the VAT rate of a price item (absent: DEFAULT_VAT) */
  vatOf: (itemId: string) => VatRate | undefined
  cashier?: Cashier
  /** the client's phone (+7...) or e-mail; anything else is left off */
  clientContact?: string
}

const PHONE = /^\+\d{10,15}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** The client's phone when it is a canonical one, else the e-mail when it is one, else nothing. */
export const contactOf = (client: { phone: string; email: string } | undefined): string | undefined => {
  if (!client) return undefined
  const phone = client.phone.trim()
  if (PHONE.test(phone)) return phone
  const email = client.email.trim()
  return EMAIL.test(email) ? email : undefined
}

const kindOf = (line: Pick<InvoiceLine, "kind">): ItemKind => (line.kind === "product" ? "commodity" : "service")

const itemOf = (line: InvoiceLine, vatOf: PaymentReceiptInput["vatOf"]): Omit<ReceiptItem, "qtyMilli" | "price"> => ({
  name: line.name.trim().slice(0, 128) || line.code || "—",
  vat: vatOf(line.itemId) ?? DEFAULT_VAT,
  kind: kindOf(line),
})

/** A line's money `amount` as items: its quantity at its price when that makes the amount, else one unit at the amount. */
const linesItem = (line: InvoiceLine, qtyMilli: number, amount: number, vatOf: PaymentReceiptInput["vatOf"]): ReceiptItem =>
  lineAmount(line.price, qtyMilli) === amount
    ? { ...itemOf(line, vatOf), qtyMilli, price: line.price }
    : { ...itemOf(line, vatOf), qtyMilli: 1000, price: amount }

const before = (a: Payment, b: Payment): boolean => a.at < b.at || (a.at === b.at && a.id < b.id)

/** What a payment buys: the window [from, from + amount) of the invoice's lines laid end to end. */
const saleItems = (input: PaymentReceiptInput, amount: number): ReceiptItem[] => {
  const { invoice, payments } = input
  const first = payments[0] as Payment
  const ids = new Set(payments.map(p => p.id))
  const paidBefore = invoice.payments
    .filter(p => p.kind === "payment" && !ids.has(p.id) && before(p, first))
    .reduce((s, p) => s + p.amount, 0)
  const total = invoice.lines.reduce((s, l) => s + l.total, 0)
  // the window always lies within the lines (a payment after a refund pays lines again)
  const from = Math.max(0, Math.min(paidBefore, total - amount))
  const items: ReceiptItem[] = []
  let at = 0
  for (const line of invoice.lines) {
    const start = Math.max(at, from)
    const end = Math.min(at + line.total, from + amount)
    at += line.total
    if (end <= start) continue
    items.push(
      end - start === line.total
        ? linesItem(line, line.qtyMilli, line.total, input.vatOf)
        : { ...itemOf(line, input.vatOf), qtyMilli: 1000, price: end - start },
    )
  }
  // an invoice whose lines do not make the payment (none, or totals off): the rest as one item
  const covered = items.reduce((s, i) => s + lineAmount(i.price, i.qtyMilli), 0)
  if (covered < amount) items.push(amountItem(input, amount - covered))
  return items
}

/** One item for an amount: named after the invoice, at the rate and kind of its largest line. */
const amountItem = (input: PaymentReceiptInput, amount: number): ReceiptItem => {
  const largest = [...input.invoice.lines].sort((a, b) => b.total - a.total)[0]
  return {
    name: `Счёт ${input.invoice.number}`.slice(0, 128),
    qtyMilli: 1000,
    price: amount,
    vat: largest ? (input.vatOf(largest.itemId) ?? DEFAULT_VAT) : DEFAULT_VAT,
    kind: largest ? kindOf(largest) : "service",
  }
}

const refundItems = (input: PaymentReceiptInput, refund: Payment): ReceiptItem[] => {
  if (refund.lines.length === 0) return [amountItem(input, refund.amount)]
  return refund.lines.flatMap(r => {
    const line = input.invoice.lines.find(l => l.id === r.lineId)
    return line ? [linesItem(line, r.qtyMilli, r.amount, input.vatOf)] : [amountItem(input, r.amount)]
  })
}

/** The receipt request for the payments (or the refund) of one command; its key is the first record's id. */
export const paymentReceipt = (input: PaymentReceiptInput): ReceiptRequest => {
  const first = input.payments[0]
  if (!first) throw new Error("a receipt needs at least one payment")
  const refund = first.kind === "refund"
  const amount = input.payments.reduce((s, p) => s + p.amount, 0)
  const byMethod = new Map<Payment["method"], number>()
  for (const p of input.payments) byMethod.set(p.method, (byMethod.get(p.method) ?? 0) + p.amount)
  return {
    key: first.id,
    sign: refund ? "refund" : "sell",
    items: refund ? refundItems(input, first) : saleItems(input, amount),
    payments: [...byMethod].map(([method, sum]) => ({ method, amount: sum })),
    ...(input.cashier ? { cashier: input.cashier } : {}),
    ...(input.clientContact ? { clientContact: input.clientContact } : {}),
  }
}
