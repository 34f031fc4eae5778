import fc from "fast-check"
import { composeReceipt } from "../../src/core/fiscal/receipt.js"
import {
  PAYMENT_METHODS,
  VAT_RATES,
  type ReceiptItem,
  type ReceiptPayment,
  type ReceiptRequest,
} from "../../src/core/fiscal/types.js"

/**
 * Honest receipt items: what a clinic sells (names, up to 1,000 units, up to 100,000 roubles a
 * unit), so that a receipt of up to 8 lines stays within the desk's bound on an amount (a billion
 * roubles, commandArgs.ts ARG_CAPS.kopecks).
 */
export const itemArb: fc.Arbitrary<ReceiptItem> = fc.record({
  name: fc.stringMatching(/^[А-Яа-яA-Za-z0-9 ,.-]{1,60}$/).filter(s => s.trim() !== ""),
  qtyMilli: fc.oneof(fc.integer({ min: 1, max: 20 }).map(n => n * 1000), fc.integer({ min: 1, max: 1_000_000 })),
  price: fc.integer({ min: 0, max: 10_000_000 }),
  vat: fc.constantFrom(...VAT_RATES),
  kind: fc.constantFrom("service" as const, "commodity" as const),
})

/** Splits `total` kopecks into 1-3 payments of positive amounts (mixed payments). */
const paymentsFor = (total: number): fc.Arbitrary<ReceiptPayment[]> =>
  fc
    .array(fc.constantFrom(...PAYMENT_METHODS), { minLength: 1, maxLength: Math.min(3, total) })
    .chain(methods =>
      fc
        .uniqueArray(fc.integer({ min: 1, max: Math.max(1, total - 1) }), {
          minLength: methods.length - 1,
          maxLength: methods.length - 1,
        })
        .map(cuts => {
          const points = [0, ...[...cuts].sort((a, b) => a - b), total]
          return methods.map((method, i) => ({ method, amount: (points[i + 1] ?? 0) - (points[i] ?? 0) }))
        }),
    )

/** An honest receipt request: it must pass receiptProblems. */
export const receiptArb = (keyArb: fc.Arbitrary<string> = fc.uuid()): fc.Arbitrary<ReceiptRequest> =>
  fc
    .record({
      key: keyArb,
      sign: fc.constantFrom("sell" as const, "refund" as const),
      items: fc.array(itemArb, { minLength: 1, maxLength: 8 }),
      cashier: fc.option(
        fc.record({
          name: fc.constantFrom("Иванова А. П.", "Petrov", "Сидоров И."),
          inn: fc.option(fc.stringMatching(/^\d{12}$/), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      clientContact: fc.option(fc.constantFrom("+79161234567", "owner@example.ru"), { nil: undefined }),
    })
    .filter(r => composeReceipt(r.items).total > 0)
    .chain(r =>
      paymentsFor(composeReceipt(r.items).total).map(payments => {
        const { cashier, clientContact, ...rest } = r
        return {
          ...rest,
          payments,
          ...(cashier ? { cashier: cashier.inn ? cashier : { name: cashier.name } } : {}),
          ...(clientContact ? { clientContact } : {}),
        }
      }),
    )

/** A one-line sale for a given key (the acceptance suite's plain receipt). */
export const simpleSale = (key: string, price = 150_000, sign: "sell" | "refund" = "sell"): ReceiptRequest => ({
  key,
  sign,
  items: [{ name: "Консультация", qtyMilli: 1000, price, vat: "none", kind: "service" }],
  payments: [{ method: "cash", amount: price }],
  cashier: { name: "Иванова А. П." },
})
