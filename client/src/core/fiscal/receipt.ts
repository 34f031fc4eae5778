import { VAT_PERCENT, VAT_RATES, type ReceiptItem, type ReceiptRequest, type VatRate } from "./types.js"

/**
 * Receipt composition, to the kopeck: a line's amount is price × quantity rounded half up to the
 * kopeck; its VAT is the amount × rate / (100 + rate) (VAT is inside the price), rounded half up;
 * the receipt's VAT per rate is the sum of its lines' VAT (what a register prints per line and
 * sums). BigInt arithmetic, so no product of price and quantity loses a kopeck.
 */

export interface ComposedLine extends ReceiptItem {
  /** kopecks */
  amount: number
  /** kopecks of VAT inside `amount` */
  vatAmount: number
}

export interface ComposedReceipt {
  lines: ComposedLine[]
  /** kopecks */
  total: number
  /** per rate present on the receipt: the amount of its lines and the VAT inside it, kopecks */
  vat: Partial<Record<VatRate, { base: number; vat: number }>>
}

/** ATOL's limit for a line's name (tag 1030, 128 characters). */
export const ITEM_NAME_MAX = 128
/** Quantity caps: a million units, kopeck caps: ten million roubles a unit. */
const QTY_MAX = 1_000_000_000
const PRICE_MAX = 1_000_000_000

const halfUp = (num: bigint, den: bigint): bigint => (num * 2n + den) / (den * 2n)

export const lineAmount = (price: number, qtyMilli: number): number =>
  Number(halfUp(BigInt(price) * BigInt(qtyMilli), 1000n))

export const vatInside = (amount: number, rate: VatRate): number => {
  const pct = BigInt(VAT_PERCENT[rate])
  return pct === 0n ? 0 : Number(halfUp(BigInt(amount) * pct, 100n + pct))
}

export const composeReceipt = (items: readonly ReceiptItem[]): ComposedReceipt => {
  const lines = items.map(item => {
    const amount = lineAmount(item.price, item.qtyMilli)
    return { ...item, amount, vatAmount: vatInside(amount, item.vat) }
  })
  const vat: ComposedReceipt["vat"] = {}
  for (const rate of VAT_RATES) {
    const of = lines.filter(l => l.vat === rate)
    if (of.length === 0) continue
    vat[rate] = { base: of.reduce((s, l) => s + l.amount, 0), vat: of.reduce((s, l) => s + l.vatAmount, 0) }
  }
  return { lines, total: lines.reduce((s, l) => s + l.amount, 0), vat }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const PHONE = /^\+\d{10,15}$/
const INN12 = /^\d{12}$/
const isInt = (n: number, min: number, max: number): boolean => Number.isSafeInteger(n) && n >= min && n <= max

/** What is wrong with a request before it goes to any register (empty: nothing). */
export const receiptProblems = (r: ReceiptRequest): string[] => {
  const problems: string[] = []
  if (r.key.trim() === "" || r.key.length > 100) problems.push("key: 1-100 characters")
  if (r.items.length === 0) problems.push("items: at least one")
  r.items.forEach((item, i) => {
    if (item.name.trim() === "" || item.name.length > ITEM_NAME_MAX)
      problems.push(`items[${i}].name: 1-${ITEM_NAME_MAX} characters`)
    if (!isInt(item.qtyMilli, 1, QTY_MAX)) problems.push(`items[${i}].qtyMilli: a whole number from 1 to ${QTY_MAX}`)
    if (!isInt(item.price, 0, PRICE_MAX)) problems.push(`items[${i}].price: kopecks from 0 to ${PRICE_MAX}`)
  })
  if (r.payments.length === 0) problems.push("payments: at least one")
  r.payments.forEach((p, i) => {
    if (!isInt(p.amount, 1, Number.MAX_SAFE_INTEGER)) problems.push(`payments[${i}].amount: kopecks above 0`)
  })
  if (problems.length === 0) {
    const total = composeReceipt(r.items).total
    const paid = r.payments.reduce((s, p) => s + p.amount, 0)
    if (paid !== total) problems.push(`payments: ${paid} kopecks paid for a total of ${total}`)
  }
  if (r.cashier) {
    if (r.cashier.name.trim() === "" || r.cashier.name.length > 64) problems.push("cashier.name: 1-64 characters")
    if (r.cashier.inn !== undefined && !INN12.test(r.cashier.inn)) problems.push("cashier.inn: 12 digits")
  }
  if (r.clientContact !== undefined && !PHONE.test(r.clientContact) && !EMAIL.test(r.clientContact))
    problems.push("clientContact: a phone +7... or an e-mail")
  return problems
}
