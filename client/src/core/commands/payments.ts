import {
  invoiceMoney,
  lineTotal,
  paymentKey,
  recordToDoc,
  refundedQtyByLine,
  validatePayment,
  type Invoice,
  type InvoicesDoc,
  type FiscalState,
  type Payment,
  type PaymentMethod,
  type RefundLine,
} from "@vetsync/shared"
import { DeskError } from "../api.js"
import { assertValid, docKeyOfRecord, notFound, patchRecord, refuseProblems, type CommandContext } from "./context.js"

/** One payment staff enter: method, amount in kopecks, and for cash the money handed over. */
export interface PaymentInput {
  method: PaymentMethod
  amount: number
  tendered?: number
}

export interface RefundInput {
  method: PaymentMethod
  reason: string
  /** an amount to give back (kopecks), or */
  amount?: number
  /** lines to give back, each with the quantity returned (thousandths) */
  lines?: { lineId: string; qtyMilli: number }[]
}

/** The invoice as its document holds it now (its payments from every desk merged in so far). */
const current = async (
  ctx: CommandContext,
  id: string,
): Promise<{ key: ReturnType<typeof docKeyOfRecord>; invoice: Invoice }> => {
  const key = docKeyOfRecord(ctx, "invoices", id)
  const invoice = await ctx.readFromDoc(key, "invoices", id)
  if (!invoice || invoice.deleted) throw notFound("invoice", id)
  return { key, invoice }
}

const base = (
  ctx: CommandContext,
  invoiceId: string,
): Omit<Payment, "kind" | "method" | "amount" | "tendered" | "change" | "lines" | "reason"> => ({
  id: ctx.newId(),
  invoiceId,
  at: ctx.now(),
  desk: ctx.deskId,
  staff: ctx.staff?.() ?? "",
  // with a register its receipt is on its way from the moment the payment is written
  fiscalState: ctx.receipts ? "pending" : "none",
  fiscalNumber: "",
  fiscalSign: "",
})

const refuse = (what: string, field: string, code: string, message: string): never => {
  throw new DeskError("validation", `${what}: ${field} ${message}`, [{ field, code, message }])
}

/** Writes new payment records into the invoice's month document, each under its own key. */
const writePayments = async (
  ctx: CommandContext,
  key: ReturnType<typeof docKeyOfRecord>,
  invoice: Invoice,
  payments: Payment[],
): Promise<Invoice> => {
  refuseProblems(
    "payment",
    payments.flatMap((p, i) => {
      const v = validatePayment(p, invoice)
      return v.ok ? [] : v.errors.map(e => ({ ...e, field: `payments[${i}].${e.field}` }))
    }),
  )
  await ctx.write<InvoicesDoc>(
    key,
    doc => {
      const map = doc.payments
      if (!map) throw new Error(`${key} has no payments map`)
      for (const p of payments) map[paymentKey(invoice.id, p.id)] = recordToDoc({ ...p }) as never
    },
    [{ collection: "invoices", id: invoice.id }],
  )
  const written = (await ctx.readFromDoc(key, "invoices", invoice.id)) ?? invoice
  // the payments are written: their receipt goes to the register in the background
  ctx.receipts?.taken(written, payments)
  return written
}

/** What the register answered for a receipt: printed with its number and sign, or failed (to be retried). */
export interface FiscalOutcome {
  fiscalState: Exclude<FiscalState, "none">
  fiscalNumber: string
  fiscalSign: string
}

/**
 * Writes a receipt's outcome into its payment records (a normal desk write of the records in the
 * invoice's month document). A record that already says printed is left alone: a late "failed"
 * never overwrites a number and sign.
 */
export const recordFiscal = async (
  ctx: CommandContext,
  invoiceId: string,
  paymentIds: readonly string[],
  outcome: FiscalOutcome,
): Promise<void> => {
  const key = docKeyOfRecord(ctx, "invoices", invoiceId)
  await ctx.write<InvoicesDoc>(
    key,
    doc => {
      const map = doc.payments as unknown as Record<string, Record<string, unknown>> | undefined
      for (const id of paymentIds) {
        const p = map?.[paymentKey(invoiceId, id)]
        if (!p || p.fiscalState === "printed") continue
        for (const [field, value] of Object.entries(outcome)) if (p[field] !== value) p[field] = value
      }
    },
    [{ collection: "invoices", id: invoiceId }],
  )
}

/**
 * Takes one or more payments (mixed: cash and card ...) for an invoice, partial or in full. Their
 * sum may not exceed what is due; cash tendered must cover its payment, and the change is the rest.
 */
export const payInvoice = async (
  ctx: CommandContext,
  id: string,
  inputs: PaymentInput[],
): Promise<{ invoice: Invoice; payments: Payment[] }> => {
  const { key, invoice } = await current(ctx, id)
  return takePayments(ctx, key, invoice, inputs)
}

/**
 * Takes in cash what is due now ("mark paid"). What is due is read from the same document read
 * the payment is written against: another desk's payment merged a moment before is counted, and
 * an invoice it settled answers "nothing is due" rather than an over-payment.
 */
export const payDue = async (ctx: CommandContext, id: string): Promise<{ invoice: Invoice; payments: Payment[] }> => {
  const { key, invoice } = await current(ctx, id)
  if (invoice.status === "void") throw new DeskError("bad_request", `invoice ${invoice.number} is void`)
  const due = invoiceMoney(invoice).due
  if (due === 0) throw new DeskError("bad_request", "nothing is due on this invoice")
  return takePayments(ctx, key, invoice, [{ method: "cash", amount: due }])
}

const takePayments = async (
  ctx: CommandContext,
  key: ReturnType<typeof docKeyOfRecord>,
  invoice: Invoice,
  inputs: PaymentInput[],
): Promise<{ invoice: Invoice; payments: Payment[] }> => {
  const id = invoice.id
  if (invoice.status === "void") throw new DeskError("bad_request", `invoice ${invoice.number} is void`)
  if (inputs.length === 0) refuse("payment", "payments", "required", "needs at least one payment")
  const due = invoiceMoney(invoice).due
  const sum = inputs.reduce((s, p) => s + p.amount, 0)
  if (sum > due) refuse("payment", "amount", "over_due", `is more than the ${due} kopecks due`)
  const payments = inputs.map((p): Payment => {
    const cash = p.method === "cash"
    const tendered = cash ? (p.tendered ?? p.amount) : 0
    return {
      ...base(ctx, id),
      kind: "payment",
      method: p.method,
      amount: p.amount,
      tendered,
      change: cash ? tendered - p.amount : 0,
      lines: [],
      reason: "",
    }
  })
  return { invoice: await writePayments(ctx, key, invoice, payments), payments }
}

/**
 * Gives money back: an amount, or lines (each up to the quantity not yet returned, at the price
 * it was sold for). Never more than was paid and not yet refunded.
 */
export const refundInvoice = async (
  ctx: CommandContext,
  id: string,
  input: RefundInput,
): Promise<{ invoice: Invoice; refund: Payment }> => {
  const { key, invoice } = await current(ctx, id)
  if (input.reason.trim() === "") refuse("refund", "reason", "required", "is required")
  let lines: RefundLine[] = []
  let amount = input.amount ?? 0
  if (input.lines && input.lines.length > 0) {
    const returned = refundedQtyByLine(invoice.payments)
    lines = input.lines.map((l, i) => {
      const line = invoice.lines.find(x => x.id === l.lineId)
      if (!line) return refuse("refund", `lines[${i}].lineId`, "unknown_line", "is not a line of the invoice")
      if (l.qtyMilli > line.qtyMilli - (returned.get(l.lineId) ?? 0))
        refuse("refund", `lines[${i}].qtyMilli`, "over_sold", "is more than was sold and not yet returned")
      return { lineId: l.lineId, qtyMilli: l.qtyMilli, amount: lineTotal(line.price, l.qtyMilli) }
    })
    amount = lines.reduce((s, l) => s + l.amount, 0)
  }
  const refundable = invoiceMoney(invoice).refundable
  if (amount > refundable)
    refuse("refund", "amount", "over_paid", `is more than the ${refundable} kopecks paid and not refunded`)
  const refund: Payment = {
    ...base(ctx, id),
    kind: "refund",
    method: input.method,
    amount,
    tendered: 0,
    change: 0,
    lines,
    reason: input.reason.trim(),
  }
  return { invoice: await writePayments(ctx, key, invoice, [refund]), refund }
}

/**
 * Voids an invoice: it stays, marked void, with the reason, when, the desk and the staff member.
 * Money taken must be refunded first (a void does not give money back).
 */
export const voidInvoice = async (ctx: CommandContext, id: string, reason: string): Promise<Invoice> => {
  const { key, invoice } = await current(ctx, id)
  if (invoice.status === "void") throw new DeskError("bad_request", `invoice ${invoice.number} is void already`)
  if (reason.trim() === "") refuse("void", "reason", "required", "is required")
  if (invoiceMoney(invoice).net > 0)
    throw new DeskError("bad_request", `invoice ${invoice.number} has money paid: refund it first`)
  const now = ctx.now()
  const changes = {
    status: "void" as const,
    voidReason: reason.trim(),
    voidedAt: now,
    voidedBy: ctx.deskId,
    voidedStaff: ctx.staff?.() ?? "",
    updatedAt: now,
    updatedBy: ctx.deskId,
  }
  assertValid(ctx, "invoices", { ...invoice, ...changes }, "invoice")
  const { payments: _payments, ...plain } = invoice
  await ctx.write<InvoicesDoc>(key, doc => patchRecord(doc, "invoices", id, { ...plain }, changes), [
    { collection: "invoices", id },
  ])
  return { ...invoice, ...changes }
}
