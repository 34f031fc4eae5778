import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { lineTotal, PAYMENT_METHODS } from "@vetsync/shared/schema"
import { COMMAND_ARGS } from "../../../src/core/commandArgs.js"
import { refundPlan, refundableLines, type RefundableLine } from "../../../src/ui/invoices/refundPlan.js"

/** thousandths as staff type them: "1,5", "2", "0.25" */
const typed = (milli: number, comma: boolean): string => {
  const s = String(milli / 1000)
  return comma ? s.replace(".", ",") : s
}

const soldLine = fc.record({
  id: fc.uuid(),
  code: fc.stringMatching(/^S\d{3}$/),
  name: fc.string({ minLength: 1, maxLength: 30 }),
  kind: fc.constantFrom("service" as const, "product" as const),
  itemId: fc.uuid(),
  price: fc.integer({ min: 1, max: 10_000_000 }),
  qtyMilli: fc.integer({ min: 1, max: 100_000 }),
})
/** an invoice's lines, some partly returned already, and what staff type to return of each (no more than is left) */
const honest = fc
  .uniqueArray(soldLine, { minLength: 1, maxLength: 8, selector: l => l.id })
  .chain(sold =>
    fc.record({
      sold: fc.constant(sold),
      returned: fc.tuple(...sold.map(l => fc.integer({ min: 0, max: l.qtyMilli - 1 }))),
      share: fc.tuple(...sold.map(() => fc.double({ min: 0, max: 1, noNaN: true }))),
      comma: fc.boolean(),
      method: fc.constantFrom(...PAYMENT_METHODS),
      reason: fc.string({ minLength: 1, maxLength: 40 }).filter(s => s.trim() !== ""),
    }),
  )

const linesOf = (sold: { id: string; code: string; name: string; price: number; qtyMilli: number }[], returned: number[]): RefundableLine[] =>
  refundableLines({
    lines: sold.map(l => ({ ...l, itemId: l.id, kind: "service", total: lineTotal(l.price, l.qtyMilli) })),
    payments:
      returned.some(r => r > 0)
        ? [
            {
              id: "r1", invoiceId: "i", kind: "refund", method: "cash", amount: 1, tendered: 0, change: 0, reason: "x", at: "", desk: "", staff: "",
              fiscalState: "none", fiscalNumber: "", fiscalSign: "",
              lines: sold.map((l, i) => ({ lineId: l.id, qtyMilli: returned[i] ?? 0, amount: 0 })).filter(l => l.qtyMilli > 0),
            },
          ]
        : [],
  })

describe("the refund dialog's plan", () => {
  it("lists what is left of each line after earlier refunds", () => {
    fc.assert(
      fc.property(honest, ({ sold, returned }) => {
        const lines = linesOf(sold, returned)
        expect(lines.map(l => l.leftMilli)).toEqual(sold.map((l, i) => l.qtyMilli - (returned[i] ?? 0)))
      }),
    )
  })

  it("sends every honest choice of lines as invoices.refund accepts it, with the sum of the lines", () => {
    fc.assert(
      fc.property(honest, ({ sold, returned, share, comma, method, reason }) => {
        const lines = linesOf(sold, returned)
        const qty = lines.map((l, i) => Math.floor(l.leftMilli * (share[i] ?? 0)))
        fc.pre(qty.some(q => q > 0))
        const text = Object.fromEntries(lines.map((l, i) => [l.id, (qty[i] ?? 0) > 0 ? typed(qty[i] ?? 0, comma) : ""]))
        const sum = lines.reduce((s, l, i) => s + lineTotal(l.price, qty[i] ?? 0), 0)
        const plan = refundPlan("inv-1", lines, { qty: text, amount: "", method, reason }, sum)
        expect(plan.errors).toEqual([])
        expect(plan.mode).toBe("lines")
        expect(plan.sum).toBe(sum)
        expect(COMMAND_ARGS["invoices.refund"].safeParse(plan.args).success).toBe(true)
        expect(plan.args?.lines).toEqual(lines.map((l, i) => ({ lineId: l.id, qtyMilli: qty[i] ?? 0 })).filter(l => l.qtyMilli > 0))
        expect(plan.args?.amount).toBeUndefined()
        // one kopeck less paid than the lines come to: refused before it is sent
        const short = refundPlan("inv-1", lines, { qty: text, amount: "", method, reason }, sum - 1)
        expect(short.args).toBeNull()
        expect(short.errors.map(e => e.code)).toContain("over_paid")
      }),
    )
  })

  it("refuses more of a line than is left of it, naming the line", () => {
    fc.assert(
      fc.property(honest, fc.nat(), fc.integer({ min: 1, max: 1000 }), ({ sold, returned, method, reason }, which, over) => {
        const lines = linesOf(sold, returned)
        const line = lines[which % lines.length]!
        const plan = refundPlan("inv-1", lines, { qty: { [line.id]: typed(line.leftMilli + over, false) }, amount: "", method, reason }, Number.MAX_SAFE_INTEGER)
        expect(plan.args).toBeNull()
        expect(plan.errors).toContainEqual(expect.objectContaining({ field: `lines.${line.id}`, code: "over_sold" }))
      }),
    )
  })

  it("sends an amount typed in rubles when no line is chosen, never more than was paid", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), fc.constantFrom(...PAYMENT_METHODS), fc.boolean(), (kopecks, method, comma) => {
        const rubles = `${Math.floor(kopecks / 100)}${comma ? "," : "."}${String(kopecks % 100).padStart(2, "0")}`
        const plan = refundPlan("inv-1", [], { qty: {}, amount: rubles, method, reason: "вернули" }, kopecks)
        expect(plan.errors).toEqual([])
        expect(plan.args).toEqual({ id: "inv-1", method, reason: "вернули", amount: kopecks })
        expect(COMMAND_ARGS["invoices.refund"].safeParse(plan.args).success).toBe(true)
        expect(refundPlan("inv-1", [], { qty: {}, amount: rubles, method, reason: "вернули" }, kopecks - 1).args).toBeNull()
      }),
    )
  })

  it("asks for a reason, for something to give back, and for quantities it can read", () => {
    const lines = linesOf([{ id: "l1", code: "S001", name: "Приём", price: 150_000, qtyMilli: 2000 }], [0])
    const codes = (qty: string, amount: string, reason: string): string[] =>
      refundPlan("inv-1", lines, { qty: { l1: qty }, amount, method: "cash", reason }, 1_000_000).errors.map(e => `${e.field}:${e.code}`)
    expect(codes("", "", "x")).toEqual(["amount:nothing_chosen"])
    expect(codes("0", "", "x")).toEqual(["amount:nothing_chosen"])
    expect(codes("1", "", " ")).toEqual(["reason:required"])
    expect(codes("1,2345", "", "x")).toEqual(["lines.l1:qty_format"])
    expect(codes("-1", "", "x")).toEqual(["lines.l1:qty_not_positive"])
    expect(codes("", "abc", "x")).toEqual(["amount:bad_amount"])
    expect(codes("", "0", "x")).toEqual(["amount:bad_amount"])
    // a line chosen wins over an amount typed before
    expect(refundPlan("inv-1", lines, { qty: { l1: "1" }, amount: "5", method: "card", reason: "x" }, 1_000_000).args).toEqual({
      id: "inv-1", method: "card", reason: "x", lines: [{ lineId: "l1", qtyMilli: 1000 }],
    })
  })
})
