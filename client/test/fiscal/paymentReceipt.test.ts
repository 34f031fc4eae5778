import fc from "fast-check"
import { lineTotal, type InvoiceLine, type Payment, type PaymentMethod } from "@vetsync/shared"
import { describe, expect, it } from "vitest"
import { contactOf, paymentReceipt } from "../../src/core/fiscal/paymentReceipt.js"
import { composeReceipt, receiptProblems } from "../../src/core/fiscal/receipt.js"
import { PAYMENT_METHODS, VAT_RATES, type VatRate } from "../../src/core/fiscal/types.js"

/** An invoice's lines as the desk makes them: each from its own price item, total = price × quantity. */
const linesArb: fc.Arbitrary<InvoiceLine[]> = fc
  .array(
    fc.record({
      price: fc.integer({ min: 1, max: 5_000_000 }),
      qtyMilli: fc.oneof(fc.integer({ min: 1, max: 5 }).map(n => n * 1000), fc.integer({ min: 1, max: 20_000 })),
      kind: fc.constantFrom("service" as const, "product" as const),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map(ls =>
    ls.map((l, i) => ({
      id: `line-${i}`,
      itemId: `item-${i}`,
      code: `S${i}`,
      name: `Услуга ${i}`,
      ...l,
      total: lineTotal(l.price, l.qtyMilli),
    })),
  )
  .filter(ls => ls.every(l => l.total > 0))

const vatsArb = fc.array(fc.constantFrom(...VAT_RATES), { minLength: 6, maxLength: 6 })
const vatOf =
  (vats: readonly VatRate[]) =>
  (itemId: string): VatRate | undefined =>
    vats[Number(itemId.split("-")[1])]

const payment = (id: string, kind: Payment["kind"], method: PaymentMethod, amount: number, at: string): Payment => ({
  id,
  invoiceId: "inv",
  kind,
  method,
  amount,
  tendered: 0,
  change: 0,
  lines: [],
  reason: kind === "refund" ? "возврат" : "",
  at,
  desk: "desk-a",
  staff: "",
  fiscalState: "pending",
  fiscalNumber: "",
  fiscalSign: "",
})

/**
 * An invoice with earlier payments (partly paid) and a new payment of one or more methods that
 * does not exceed what is due: the honest input of payInvoice.
 */
const saleArb = fc
  .record({ lines: linesArb, vats: vatsArb, earlierShare: fc.double({ min: 0, max: 0.9, noNaN: true }), parts: fc.array(fc.constantFrom(...PAYMENT_METHODS), { minLength: 1, maxLength: 3 }) })
  .chain(r => {
    const total = r.lines.reduce((s, l) => s + l.total, 0)
    const earlier = Math.floor(total * r.earlierShare)
    const due = total - earlier
    // at most one part per kopeck due: each part is at least a kopeck, and together they never pass what is due
    const parts = r.parts.slice(0, Math.min(r.parts.length, due))
    return fc
      .array(fc.integer({ min: 1, max: Math.floor(due / parts.length) }), { minLength: parts.length, maxLength: parts.length })
      .map(amounts => ({ ...r, parts, total, earlier, amounts }))
  })

describe("a payment's receipt", () => {
  it("adds up to the payment to the kopeck, with each line's VAT rate, and passes the register's checks", () => {
    fc.assert(
      fc.property(saleArb, ({ lines, vats, total, earlier, parts, amounts }) => {
        const before = earlier > 0 ? [payment("p-0", "payment", "card", earlier, "2026-12-01T09:00:00.000Z")] : []
        const now = parts.map((m, i) => payment(`p-${i + 1}`, "payment", m, amounts[i] ?? 1, "2026-12-01T10:00:00.000Z"))
        const invoice = { number: "D1-2612-1", lines, total, payments: [...before, ...now] }
        const r = paymentReceipt({ invoice, payments: now, vatOf: vatOf(vats) })
        const amount = now.reduce((s, p) => s + p.amount, 0)
        expect(r.key).toBe("p-1")
        expect(r.sign).toBe("sell")
        expect(composeReceipt(r.items).total).toBe(amount)
        expect(r.payments.reduce((s, p) => s + p.amount, 0)).toBe(amount)
        expect(new Set(r.payments.map(p => p.method)).size).toBe(r.payments.length)
        for (const item of r.items) {
          const line = lines.find(l => l.name === item.name)
          expect(line).toBeDefined()
          expect(item.vat).toBe(vats[Number(line?.itemId.split("-")[1])])
        }
        expect(receiptProblems(r)).toEqual([])
      }),
    )
  })

  it("a payment of the whole invoice sells its lines as they are", () => {
    fc.assert(
      fc.property(linesArb, vatsArb, (lines, vats) => {
        const total = lines.reduce((s, l) => s + l.total, 0)
        const p = payment("p-1", "payment", "cash", total, "2026-12-01T10:00:00.000Z")
        const r = paymentReceipt({ invoice: { number: "N", lines, total, payments: [p] }, payments: [p], vatOf: vatOf(vats) })
        expect(r.items.map(i => [i.name, i.qtyMilli, i.price])).toEqual(lines.map(l => [l.name, l.qtyMilli, l.price]))
      }),
    )
  })

  it("a refund of lines carries those lines' quantities, and its total is the refund", () => {
    const refundArb = fc.record({ lines: linesArb, vats: vatsArb }).chain(({ lines, vats }) =>
      fc
        .subarray(lines, { minLength: 1 })
        .chain(chosen =>
          fc.tuple(...chosen.map(l => fc.integer({ min: 1, max: l.qtyMilli }).map(q => ({ line: l, qtyMilli: q })))),
        )
        .map(back => ({ lines, vats, back: back.filter(b => lineTotal(b.line.price, b.qtyMilli) > 0) }))
        .filter(r => r.back.length > 0),
    )
    fc.assert(
      fc.property(refundArb, fc.constantFrom(...PAYMENT_METHODS), ({ lines, vats, back }, method) => {
        const total = lines.reduce((s, l) => s + l.total, 0)
        const refundLines = back.map(b => ({ lineId: b.line.id, qtyMilli: b.qtyMilli, amount: lineTotal(b.line.price, b.qtyMilli) }))
        const amount = refundLines.reduce((s, l) => s + l.amount, 0)
        const refund = { ...payment("r-1", "refund", method, amount, "2026-12-01T11:00:00.000Z"), lines: refundLines }
        const paid = payment("p-1", "payment", "card", total, "2026-12-01T10:00:00.000Z")
        const r = paymentReceipt({ invoice: { number: "N", lines, total, payments: [paid, refund] }, payments: [refund], vatOf: vatOf(vats) })
        expect(r.sign).toBe("refund")
        expect(r.items.map(i => [i.name, i.qtyMilli])).toEqual(back.map(b => [b.line.name, b.qtyMilli]))
        expect(r.items.map(i => i.vat)).toEqual(back.map(b => vats[Number(b.line.itemId.split("-")[1])]))
        expect(composeReceipt(r.items).total).toBe(amount)
        expect(r.payments).toEqual([{ method, amount }])
        expect(receiptProblems(r)).toEqual([])
      }),
    )
  })

  it("a refund of an amount is one item for the amount", () => {
    fc.assert(
      fc.property(linesArb, vatsArb, fc.double({ min: 0.01, max: 1, noNaN: true }), (lines, vats, share) => {
        const total = lines.reduce((s, l) => s + l.total, 0)
        const amount = Math.max(1, Math.floor(total * share))
        const refund = payment("r-1", "refund", "cash", amount, "2026-12-01T11:00:00.000Z")
        const r = paymentReceipt({ invoice: { number: "D1-2612-7", lines, total, payments: [refund] }, payments: [refund], vatOf: vatOf(vats) })
        expect(r.items).toHaveLength(1)
        expect(composeReceipt(r.items).total).toBe(amount)
        expect(receiptProblems(r)).toEqual([])
      }),
    )
  })

  it("carries the client's canonical phone, else a valid e-mail, else nothing", () => {
    expect(contactOf({ phone: "+79161234567", email: "a@b.ru" })).toBe("+79161234567")
    expect(contactOf({ phone: "8 916 123", email: "a@b.ru" })).toBe("a@b.ru")
    expect(contactOf({ phone: "", email: "not mail" })).toBeUndefined()
    expect(contactOf(undefined)).toBeUndefined()
  })
})
