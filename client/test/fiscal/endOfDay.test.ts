import fc from "fast-check"
import { PAYMENT_METHODS, type Payment } from "@vetsync/shared"
import { describe, expect, it } from "vitest"
import { endOfDay } from "../../src/core/views/endOfDay.js"

const DESKS = ["desk-a", "desk-b", "desk-c"] as const

/** A day's payment records of a clinic's desks, as payInvoice and refundInvoice write them. */
const paymentArb: fc.Arbitrary<Payment> = fc.record({
  id: fc.uuid(),
  invoiceId: fc.uuid(),
  kind: fc.constantFrom("payment" as const, "refund" as const),
  method: fc.constantFrom(...PAYMENT_METHODS),
  amount: fc.integer({ min: 1, max: 50_000_000 }),
  tendered: fc.constant(0),
  change: fc.constant(0),
  lines: fc.constant([]),
  reason: fc.constant(""),
  at: fc.constant("2026-12-01T10:00:00.000Z"),
  desk: fc.constantFrom(...DESKS),
  staff: fc.constant(""),
  fiscalState: fc.constantFrom("none" as const, "pending" as const, "printed" as const, "failed" as const),
  fiscalNumber: fc.constant(""),
  fiscalSign: fc.constant(""),
})
const voidArb = fc.record({ total: fc.integer({ min: 0, max: 50_000_000 }), voidedBy: fc.constantFrom(...DESKS) })
const meta = { date: "2026-12-01", timeZone: "Europe/Moscow" }

describe("the end of day from payment records", () => {
  it("the clinic's report is the sum of its desks', to the kopeck, and the drawer is cash in minus cash out", () => {
    fc.assert(
      fc.property(fc.array(paymentArb, { maxLength: 40 }), fc.array(voidArb, { maxLength: 5 }), (payments, voided) => {
        const all = endOfDay({ payments, voided }, { ...meta, deskId: null })
        const desks = DESKS.map(deskId => endOfDay({ payments, voided }, { ...meta, deskId }))
        for (const part of ["sales", "refunds"] as const) {
          expect(desks.reduce((s, d) => s + d[part].total, 0)).toBe(all[part].total)
          expect(desks.reduce((s, d) => s + d[part].count, 0)).toBe(all[part].count)
          for (const m of PAYMENT_METHODS) expect(desks.reduce((s, d) => s + d[part].byMethod[m], 0)).toBe(all[part].byMethod[m])
        }
        const sum = (kind: Payment["kind"], method?: Payment["method"]): number =>
          payments.filter(p => p.kind === kind && (!method || p.method === method)).reduce((s, p) => s + p.amount, 0)
        expect(all.sales.total).toBe(sum("payment"))
        expect(all.refunds.total).toBe(sum("refund"))
        expect(all.cashInDrawer).toBe(sum("payment", "cash") - sum("refund", "cash"))
        expect(all.voids).toEqual({ count: voided.length, total: voided.reduce((s, v) => s + v.total, 0) })
        expect(all.unfiscalised).toBe(payments.filter(p => p.fiscalState === "pending" || p.fiscalState === "failed").length)
      }),
    )
  })
})
