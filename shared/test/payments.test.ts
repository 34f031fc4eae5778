import * as A from "@automerge/automerge"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  PAYMENT_METHODS,
  changeDue,
  genesisDoc,
  invoiceMoney,
  invoicePaidAt,
  invoiceState,
  invoiceStatus,
  lineTotal,
  noPaymentsYet,
  paymentKey,
  paymentsContainerChange,
  readRecord,
  recordToDoc,
  validateInvoice,
  validatePayment,
  withPaymentsContainer,
  type Invoice,
  type InvoicesDoc,
  type Payment,
} from "@vetsync/shared"

const CLINIC = "clinic-pay"
const KEY = "invoices/2026-11" as const
const AT = "2026-11-20T10:40:00.000Z"

const uuid = fc.uuid({ version: 4 })
const line = fc
  .record({ id: uuid, price: fc.integer({ min: 0, max: 5_000_000 }), qtyMilli: fc.integer({ min: 1, max: 10_000 }) })
  .map(l => ({
    ...l,
    itemId: "item",
    code: "S1",
    name: "Приём",
    kind: "service" as const,
    total: lineTotal(l.price, l.qtyMilli),
  }))

/** an honest invoice: lines, their total, no payments yet */
const invoiceArb: fc.Arbitrary<Invoice> = fc
  .record({ id: uuid, lines: fc.array(line, { minLength: 1, maxLength: 5 }) })
  .map(({ id, lines }) => ({
    id,
    createdAt: AT,
    updatedAt: AT,
    createdBy: "desk-a",
    updatedBy: "desk-a",
    deleted: false,
    number: "D1-2611-00001",
    clientId: "5acdbfa7-4e8d-4b96-8c7f-0a6e5b4d2f65",
    patientId: "",
    vet: "",
    issuedAt: AT,
    status: "issued",
    paidAt: "",
    lines,
    total: lines.reduce((s, l) => s + l.total, 0),
    ...noPaymentsYet(),
  }))

const fiscal = { fiscalState: "none", fiscalNumber: "", fiscalSign: "" } as const

/** an honest payment of an invoice: cash with tendered ≥ amount and the change, or card / transfer */
const paymentOf = (invoiceId: string, amount: number): fc.Arbitrary<Payment> =>
  fc
    .record({ id: uuid, method: fc.constantFrom(...PAYMENT_METHODS), extra: fc.integer({ min: 0, max: 1_000_000 }) })
    .map(({ id, method, extra }) => ({
      id,
      invoiceId,
      kind: "payment",
      method,
      amount,
      tendered: method === "cash" ? amount + extra : 0,
      change: method === "cash" ? extra : 0,
      lines: [],
      reason: "",
      at: AT,
      desk: "desk-a",
      staff: "",
      ...fiscal,
    }))

/** an invoice with honest payments whose sum is at most its total (split in up to 4 parts) */
const paidInvoice = invoiceArb
  .filter(i => i.total > 0)
  .chain(inv =>
    fc
      .array(fc.integer({ min: 1, max: inv.total }), { minLength: 1, maxLength: 4 })
      .map(parts => {
        const out: number[] = []
        let left = inv.total
        for (const p of parts) {
          const a = Math.min(p, left)
          if (a > 0) out.push(a)
          left -= a
        }
        return out
      })
      .chain(amounts => fc.tuple(...amounts.map(a => paymentOf(inv.id, a))))
      .map(payments => ({ ...inv, payments })),
  )

describe("payments", () => {
  it("honest payments pass the validators, and the status follows what was paid", () => {
    fc.assert(
      fc.property(paidInvoice, inv => {
        expect(validateInvoice(inv)).toEqual({ ok: true })
        for (const p of inv.payments) expect(validatePayment(p, inv)).toEqual({ ok: true })
        const paid = inv.payments.reduce((s, p) => s + p.amount, 0)
        const m = invoiceMoney(inv)
        expect(m).toEqual({ paid, refunded: 0, net: paid, due: inv.total - paid, refundable: paid })
        expect(invoiceState(inv)).toBe(paid === inv.total ? "paid" : "partly_paid")
        // what the back office reads (desks and the bridge alike): paid, at its last payment, once covered
        expect(invoiceStatus(inv)).toBe(paid === inv.total ? "paid" : "issued")
        expect(invoicePaidAt(inv)).toBe(paid === inv.total ? (inv.payments.at(-1)?.at ?? "") : "")
        expect(invoiceStatus({ ...inv, status: "void" })).toBe("void")
        // a void from a desk that had not seen the payment, or a refund, leaves when it was paid
        const voided: Invoice = { ...inv, status: "void" }
        expect(invoicePaidAt(voided)).toBe(invoicePaidAt(inv))
      }),
    )
  })

  it("refuses what no honest desk writes: no amount, short cash, a wrong change, change on a card, lines of another invoice", () => {
    fc.assert(
      fc.property(paidInvoice, inv => {
        const p = inv.payments[0] as Payment
        const cash = { ...p, method: "cash" as const, tendered: p.amount, change: 0 }
        expect(validatePayment(cash, inv)).toEqual({ ok: true })
        const codes = (x: Payment): string[] => {
          const v = validatePayment(x, inv)
          return v.ok ? [] : v.errors.map(e => e.code)
        }
        expect(codes({ ...cash, amount: 0, tendered: 0 })).toContain("not_positive")
        expect(codes({ ...cash, tendered: cash.amount - 1 })).toContain("short")
        expect(codes({ ...cash, tendered: cash.amount + 10, change: 9 })).toContain("change_mismatch")
        expect(codes({ ...cash, method: "card", tendered: cash.amount + 10, change: 10 })).toContain("not_cash")
        expect(
          codes({ ...cash, kind: "refund", lines: [{ lineId: "elsewhere", qtyMilli: 1000, amount: cash.amount }] }),
        ).toContain("unknown_line")
      }),
    )
  })

  it("counts refunds: all given back is refunded, void wins, an old paid without payments is paid in full", () => {
    fc.assert(
      fc.property(paidInvoice, uuid, (inv, refundId) => {
        const net = inv.payments.reduce((s, p) => s + p.amount, 0)
        const refund: Payment = {
          ...(inv.payments[0] as Payment),
          id: refundId,
          kind: "refund",
          tendered: 0,
          change: 0,
          amount: net,
          reason: "вернули",
        }
        const back = { ...inv, payments: [...inv.payments, refund] }
        expect(validatePayment(refund, back)).toEqual({ ok: true })
        expect(invoiceState(back)).toBe("refunded")
        const part = { ...inv, payments: [...inv.payments, { ...refund, amount: 1 }] }
        expect(invoiceState(part)).toBe("refunded")
        // a refund (of lines or an amount) is money the clinic gave back: never due again
        expect(invoiceMoney(part)).toMatchObject({ refunded: 1, net: net - 1, refundable: net - 1, due: inv.total - net })
        expect(invoiceMoney(back).due).toBe(inv.total - net)
        expect(invoiceMoney(back).refundable).toBe(0)
        expect(invoiceState({ ...back, status: "void" })).toBe("void")
        expect(invoiceState({ ...inv, status: "paid", payments: [] })).toBe("paid")
        expect(invoiceMoney({ ...inv, status: "paid", payments: [] }).due).toBe(0)
        // an old paid invoice keeps its payment when a refund is added to it
        expect(invoiceMoney({ ...inv, status: "paid", payments: [refund] })).toMatchObject({ paid: inv.total, due: 0 })
      }),
    )
  })

  it("change due is tendered minus due, and nothing when the cash does not cover it", () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (tendered, due) => {
        expect(changeDue(tendered, due)).toBe(tendered >= due ? tendered - due : undefined)
      }),
    )
  })
})

describe("the payments map of a month document", () => {
  it("is added by a change that is byte-identical wherever it is made", () => {
    expect(paymentsContainerChange(CLINIC, KEY)).toEqual(paymentsContainerChange(`${CLINIC}`, `invoices/${"2026-11"}`))
    expect(paymentsContainerChange(CLINIC, KEY)).not.toEqual(paymentsContainerChange(CLINIC, "invoices/2026-12"))
  })

  it("is the same change as every released desk makes: its hash is pinned", () => {
    // every desk and the relay must make exactly these bytes: one byte different anywhere (a new
    // Automerge encoding, an edited message or time) and two desks' copies collide for good
    // ("duplicate seq 2 found for actor 0000…"). Changing this hash is changing the document format.
    expect(A.decodeChange(paymentsContainerChange("clinic-pin", "invoices/2026-11")).hash).toBe(
      "d5e11ebd005a55a4e88a37ac53b78bd0af78367c18f6147037473b6ec2952277",
    )
  })

  it("keeps both desks' payments for one old invoice when each adds the map and a payment while apart", () => {
    fc.assert(
      fc.property(
        paidInvoice.filter(i => i.payments.length >= 2),
        inv => {
          // an invoice written before payments existed: its document has no payments map
          const { payments, ...plain } = inv
          let old = A.clone(genesisDoc<InvoicesDoc>(CLINIC, KEY), { actor: "aa".repeat(16) })
          old = A.change(old, d => {
            d.invoices[inv.id] = recordToDoc({ ...plain }) as never
          })
          const take = (actor: string, p: Payment): A.Doc<InvoicesDoc> => {
            const desk = withPaymentsContainer(A.clone(old, { actor }), CLINIC, KEY)
            return A.change(desk, d => {
              ;(d.payments as Record<string, unknown>)[paymentKey(inv.id, p.id)] = recordToDoc({ ...p })
            })
          }
          const a = take("bb".repeat(16), payments[0] as Payment)
          const b = take("cc".repeat(16), payments[1] as Payment)
          const merged = A.merge(A.clone(a), b)
          const read = readRecord(merged, "invoices", inv.id)?.record as Invoice
          expect(read.payments.map(p => p.id).sort()).toEqual([payments[0]?.id, payments[1]?.id].sort())
          expect(invoiceMoney(read).paid).toBe((payments[0]?.amount ?? 0) + (payments[1]?.amount ?? 0))
        },
      ),
      { numRuns: 20 },
    )
  })
})
