import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { composeReceipt, lineAmount, receiptProblems, vatInside } from "../../src/core/fiscal/receipt.js"
import { VAT_PERCENT, VAT_RATES } from "../../src/core/fiscal/types.js"
import { itemArb, receiptArb } from "./arbitraries.js"

describe("receipt composition", () => {
  it("an honest receipt passes the checks", () => {
    fc.assert(
      fc.property(receiptArb(), r => {
        expect(receiptProblems(r)).toEqual([])
      }),
    )
  })

  it("the total is the sum of the lines, each price × quantity to the kopeck (half up)", () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 10 }), items => {
        const c = composeReceipt(items)
        expect(c.total).toBe(c.lines.reduce((s, l) => s + l.amount, 0))
        for (const l of c.lines) {
          // exact rational price × qty / 1000 is within half a kopeck of the line's amount
          const exact = (BigInt(l.price) * BigInt(l.qtyMilli)) * 2n
          const got = BigInt(l.amount) * 2000n
          expect(got - exact <= 1000n && exact - got < 1000n).toBe(true)
        }
      }),
    )
  })

  it("the VAT per rate is the sum of its lines' VAT, each within half a kopeck of amount × rate / (100 + rate)", () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 10 }), items => {
        const c = composeReceipt(items)
        for (const rate of VAT_RATES) {
          const of = c.lines.filter(l => l.vat === rate)
          if (of.length === 0) {
            expect(c.vat[rate]).toBeUndefined()
            continue
          }
          expect(c.vat[rate]).toEqual({
            base: of.reduce((s, l) => s + l.amount, 0),
            vat: of.reduce((s, l) => s + l.vatAmount, 0),
          })
          for (const l of of) {
            const pct = BigInt(VAT_PERCENT[rate])
            const exact2 = BigInt(l.amount) * pct * 2n
            const got2 = BigInt(l.vatAmount) * (100n + pct) * 2n
            expect(got2 - exact2 <= 100n + pct && exact2 - got2 < 100n + pct).toBe(true)
          }
        }
        const sumBases = Object.values(c.vat).reduce((s, v) => s + v.base, 0)
        expect(sumBases).toBe(c.total)
      }),
    )
  })

  it("known figures: 20% of 120.00 is 20.00, 10% of 110.00 is 10.00, 1/3 unit of 1.00 is 0.33", () => {
    expect(vatInside(12_000, "vat20")).toBe(2_000)
    expect(vatInside(11_000, "vat10")).toBe(1_000)
    expect(vatInside(12_345, "none")).toBe(0)
    expect(lineAmount(100, 333)).toBe(33)
    expect(lineAmount(100, 335)).toBe(34)
  })

  it("refuses a receipt whose payments do not add up to its total, and one without items or payments", () => {
    fc.assert(
      fc.property(receiptArb(), fc.integer({ min: 1, max: 1000 }), (r, extra) => {
        const [first, ...rest] = r.payments
        if (!first) return
        const over = { ...r, payments: [{ ...first, amount: first.amount + extra }, ...rest] }
        expect(receiptProblems(over).join()).toMatch(/paid for a total/)
        expect(receiptProblems({ ...r, items: [] }).join()).toMatch(/items/)
        expect(receiptProblems({ ...r, payments: [] }).join()).toMatch(/payments/)
      }),
    )
  })

  it("refuses a bad contact, a bad cashier INN and a blank key", () => {
    fc.assert(
      fc.property(receiptArb(), r => {
        expect(receiptProblems({ ...r, clientContact: "call me" }).join()).toMatch(/clientContact/)
        expect(receiptProblems({ ...r, cashier: { name: "X", inn: "123" } }).join()).toMatch(/inn/)
        expect(receiptProblems({ ...r, key: " " }).join()).toMatch(/key/)
      }),
    )
  })
})
