import { FISCAL_STATES, PAYMENT_KINDS, PAYMENT_METHODS, type Payment } from "./payments.js"
import type { Invoice } from "./records.js"
import { storable } from "./storable.js"

interface Problem {
  field: string
  code: string
  message: string
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * One payment or refund on its own, and against its invoice when given: a positive amount; cash
 * tendered covers the amount and the change is the difference (no tendered cash or change for a
 * card or a transfer); a refund's lines name lines of the invoice, each with a positive quantity.
 */
export const validatePayment = (
  p: Payment,
  invoice?: Pick<Invoice, "id" | "lines">,
): { ok: true } | { ok: false; errors: Problem[] } => {
  const errors: Problem[] = []
  const add = (field: string, code: string, message: string): void => {
    errors.push({ field, code, message })
  }
  const text = (v: unknown, field: string, max: number, re?: RegExp, required = false): void => {
    if (typeof v !== "string") return add(field, "type", "must be text")
    if (!storable(v)) return add(field, "invalid_text", "contains a character that cannot be stored")
    if (v === "") {
      if (required) add(field, "required", "is required")
      return
    }
    if (v.length > max) add(field, "too_long", `is longer than ${max} characters`)
    else if (re && !re.test(v)) add(field, "invalid", "is not in the expected form")
  }
  const int = (v: unknown, field: string, min: number): boolean => {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) return (add(field, "type", "must be a whole number"), false)
    if (v < min) return (add(field, min > 0 ? "not_positive" : "negative", `must be at least ${min}`), false)
    return true
  }
  const oneOf = (v: unknown, field: string, allowed: readonly string[]): void => {
    if (typeof v !== "string" || !allowed.includes(v)) add(field, "invalid", `must be one of ${allowed.join(", ")}`)
  }
  text(p.id, "id", 100, UUID, true)
  text(p.invoiceId, "invoiceId", 100, UUID, true)
  if (invoice && p.invoiceId !== invoice.id) add("invoiceId", "other_invoice", "names another invoice")
  oneOf(p.kind, "kind", PAYMENT_KINDS)
  oneOf(p.method, "method", PAYMENT_METHODS)
  const amountOk = int(p.amount, "amount", 1)
  const tenderedOk = int(p.tendered, "tendered", 0)
  const changeOk = int(p.change, "change", 0)
  if (p.method === "cash" && p.kind === "payment") {
    if (amountOk && tenderedOk && p.tendered < p.amount) add("tendered", "short", "does not cover the amount")
    else if (amountOk && tenderedOk && changeOk && p.change !== p.tendered - p.amount)
      add("change", "change_mismatch", "does not equal tendered − amount")
  } else {
    if (tenderedOk && p.tendered !== 0) add("tendered", "not_cash", "is only for a cash payment")
    if (changeOk && p.change !== 0) add("change", "not_cash", "is only for a cash payment")
  }
  if (!Array.isArray(p.lines)) add("lines", "type", "must be a list")
  else {
    if (p.kind === "payment" && p.lines.length > 0) add("lines", "not_refund", "only a refund gives lines back")
    let sum = 0
    p.lines.forEach((l, i) => {
      text(l.lineId, `lines[${i}].lineId`, 100, undefined, true)
      if (invoice && !invoice.lines.some(x => x.id === l.lineId))
        add(`lines[${i}].lineId`, "unknown_line", "is not a line of the invoice")
      int(l.qtyMilli, `lines[${i}].qtyMilli`, 1)
      if (int(l.amount, `lines[${i}].amount`, 0)) sum += l.amount
    })
    if (p.lines.length > 0 && amountOk && sum !== p.amount)
      add("amount", "lines_mismatch", "does not equal the sum of the lines given back")
  }
  text(p.reason, "reason", 500)
  text(p.at, "at", 40, ISO, true)
  text(p.desk, "desk", 100, undefined, true)
  text(p.staff, "staff", 100)
  oneOf(p.fiscalState, "fiscalState", FISCAL_STATES)
  text(p.fiscalNumber, "fiscalNumber", 40)
  text(p.fiscalSign, "fiscalSign", 40)
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}
