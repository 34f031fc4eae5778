import { invoicesKey, lineTotal, localMonth, noPaymentsYet, type Invoice, type InvoiceLine, type InvoicesDoc } from "@vetsync/shared"
import { DeskError, type InvoiceInput } from "../api.js"
import { assertValid, insertRecord, notFound, type CommandContext } from "./context.js"

/**
 * The next invoice number of this desk: <desk code>-<YYMM>-<sequence>, YYMM the month of issue in
 * the clinic's time zone. The desk code is unique in the clinic (the registry gives it at
 * enrolment) and the sequence is kept in the desk's read model, so numbers never collide, even
 * offline. A number consumed by a failed write is skipped, never reused.
 */
const nextNumber = (ctx: CommandContext, issuedAt: string): string => {
  const month = localMonth(issuedAt, ctx.timeZone())
  const yymm = month.slice(2, 4) + month.slice(5, 7)
  const key = `invoiceSeq:${yymm}`
  const seq = ctx.rm.transaction(() => {
    const n = Number(ctx.rm.getMeta(key) ?? "0") + 1
    ctx.rm.setMeta(key, String(n))
    return n
  })
  return `${ctx.deskCode}-${yymm}-${String(seq).padStart(5, "0")}`
}

/** Issues an invoice from price-list items, copying each line's price at the time of sale. */
export const createInvoice = async (ctx: CommandContext, input: InvoiceInput): Promise<Invoice> => {
  const client = ctx.rm.clients.get(input.clientId)
  if (!client || client.deleted) throw notFound("client", input.clientId)
  if (input.patientId) {
    const p = ctx.rm.patients.get(input.patientId)
    if (!p || p.clientId !== client.id) throw notFound("patient of this client", input.patientId)
  }
  if (!Array.isArray(input.lines) || input.lines.length === 0) throw new DeskError("validation", "an invoice needs at least one line", [
    { field: "lines", code: "required", message: "needs at least one line" },
  ])
  const lines: InvoiceLine[] = input.lines.map((l, i) => {
    const item = ctx.rm.priceList.get(l.itemId)
    if (!item) throw new DeskError("not_found", `line ${i + 1}: price-list item ${l.itemId} not found`)
    if (!Number.isSafeInteger(l.qtyMilli) || l.qtyMilli <= 0)
      throw new DeskError("validation", `line ${i + 1}: quantity must be positive`, [
        { field: `lines[${i}].qtyMilli`, code: "negative", message: "must be positive" },
      ])
    return {
      id: ctx.newId(),
      itemId: item.id,
      code: item.code,
      name: item.name,
      kind: item.kind,
      price: item.price,
      qtyMilli: l.qtyMilli,
      total: lineTotal(item.price, l.qtyMilli),
    }
  })
  const now = ctx.now()
  const invoice: Invoice = {
    id: ctx.newId(),
    createdAt: now,
    updatedAt: now,
    createdBy: ctx.deskId,
    updatedBy: ctx.deskId,
    deleted: false,
    number: nextNumber(ctx, now),
    clientId: client.id,
    patientId: input.patientId ?? "",
    vet: (input.vet ?? "").trim(),
    issuedAt: now,
    status: "issued",
    paidAt: "",
    lines,
    total: lines.reduce((s, l) => s + l.total, 0),
    ...noPaymentsYet(),
  }
  assertValid(ctx, "invoices", invoice, "invoice")
  // the partition is the month of issue in the clinic's zone, chosen now and kept for good
  await ctx.write<InvoicesDoc>(invoicesKey(invoice.issuedAt, ctx.timeZone()), doc => insertRecord(doc, "invoices", { ...invoice }), [
    { collection: "invoices", id: invoice.id },
  ])
  return invoice
}
