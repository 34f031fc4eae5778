import { randomUUID } from "node:crypto"
import fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { composeReceipt } from "../../src/core/fiscal/receipt.js"
import {
  isInvalidReceipt,
  isNotConnected,
  isPaperOut,
  isRetryable,
  isShiftClosed,
  isShiftExpired,
  isShiftOpen,
  isStorageFull,
  type FiscalError,
} from "../../src/core/fiscal/errors.js"
import type { JournalEntry } from "../../src/core/fiscal/FiscalEmulator.js"
import type { FiscalRegister, FiscalResult } from "../../src/core/fiscal/types.js"
import { receiptArb, simpleSale } from "./arbitraries.js"

/** A register under test and the switches of the register behind it. */
export interface RegisterUnderTest {
  register: FiscalRegister
  setPaper(present: boolean): void
  setStorageFull(full: boolean): void
  setConnected(connected: boolean): void
  /** moves the register's clock on */
  advance(ms: number): void
  /** the documents the register behind it formed */
  journal(): readonly JournalEntry[]
  stop(): Promise<void>
}

const value = <T>(r: FiscalResult<T>): T => {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`)
  return r.value
}
const error = <T>(r: FiscalResult<T>): FiscalError => {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`)
  return r.error
}
const receiptsIn = (j: readonly JournalEntry[]): string[] =>
  j.flatMap(e => (e.type === "sell" || e.type === "refund" ? [e.key] : []))

/** What every FiscalRegister does: run on the emulator directly and on the ATOL adapter. */
export const fiscalAcceptance = (name: string, make: () => Promise<RegisterUnderTest>): void => {
  describe(`${name}: FiscalRegister acceptance`, () => {
    let t: RegisterUnderTest
    beforeEach(async () => {
      t = await make()
    })
    afterEach(async () => {
      await t.stop()
    })

    it("opens a shift, registers sales and refunds with rising document numbers and fiscal signs, closes with Z", async () => {
      const r = t.register
      expect(value(await r.status())).toMatchObject({ connected: true, shift: "closed", paperPresent: true, storageFull: false })
      expect(isShiftClosed(error(await r.register(simpleSale(randomUUID()))))).toBe(true)
      const open = value(await r.openShift({ name: "Иванова А. П." }))
      expect(isShiftOpen(error(await r.openShift()))).toBe(true)
      const status = value(await r.status())
      expect(status).toMatchObject({ shift: "open", shiftNumber: open.shiftNumber })
      expect(status.shiftOpenedAt).not.toBeNull()
      const sale = value(await r.register(simpleSale(randomUUID(), 250_000)))
      const refund = value(await r.register(simpleSale(randomUUID(), 50_000, "refund")))
      expect(sale.number).toBeGreaterThan(open.number)
      expect(refund.number).toBeGreaterThan(sale.number)
      expect(sale.sign).toMatch(/^\d+$/)
      expect(sale).toMatchObject({ total: 250_000, shiftNumber: open.shiftNumber })
      expect(refund.total).toBe(50_000)
      expect(value(await r.reportX())).toBeDefined()
      const z = value(await r.closeShift())
      expect(z.number).toBeGreaterThan(refund.number)
      expect(value(await r.status()).shift).toBe("closed")
      expect(t.journal().map(e => e.type)).toEqual(["refused", "openShift", "sell", "refund", "reportX", "closeShift"])
    })

    it("a key registers one document however often it is sent, and its total is the composed total", async () => {
      value(await t.register.openShift())
      await fc.assert(
        fc.asyncProperty(receiptArb(), fc.integer({ min: 2, max: 4 }), async (req, times) => {
          const answers = []
          for (let i = 0; i < times; i++) answers.push(value(await t.register.register(req)))
          for (const a of answers) expect(a).toEqual(answers[0])
          expect(answers[0]?.total).toBe(composeReceipt(req.items).total)
          expect(receiptsIn(t.journal()).filter(k => k === req.key)).toHaveLength(1)
        }),
        { numRuns: 15 },
      )
    })

    it("paper out refuses and spends the key; a new key prints once paper is back", async () => {
      value(await t.register.openShift())
      t.setPaper(false)
      expect(value(await t.register.status()).paperPresent).toBe(false)
      const key = randomUUID()
      const e = error(await t.register.register(simpleSale(key)))
      expect(isPaperOut(e)).toBe(true)
      expect(isRetryable(e)).toBe(false)
      t.setPaper(true)
      expect(isPaperOut(error(await t.register.register(simpleSale(key))))).toBe(true)
      value(await t.register.register(simpleSale(randomUUID())))
      expect(receiptsIn(t.journal())).not.toContain(key)
    })

    it("a full fiscal storage refuses receipts and says so in the status", async () => {
      value(await t.register.openShift())
      t.setStorageFull(true)
      expect(value(await t.register.status()).storageFull).toBe(true)
      expect(isStorageFull(error(await t.register.register(simpleSale(randomUUID()))))).toBe(true)
    })

    it("a shift over 24 hours refuses receipts until the Z report closes it", async () => {
      value(await t.register.openShift())
      t.advance(24 * 60 * 60 * 1000 + 60_000)
      expect(value(await t.register.status()).shift).toBe("expired")
      expect(isShiftExpired(error(await t.register.register(simpleSale(randomUUID()))))).toBe(true)
      value(await t.register.closeShift())
      value(await t.register.openShift())
      value(await t.register.register(simpleSale(randomUUID())))
    })

    it("not connected is retryable and does not spend the key", async () => {
      value(await t.register.openShift())
      t.setConnected(false)
      const key = randomUUID()
      const e = error(await t.register.register(simpleSale(key)))
      expect(isNotConnected(e) && isRetryable(e)).toBe(true)
      expect(isNotConnected(error(await t.register.status()))).toBe(true)
      t.setConnected(true)
      const doc = value(await t.register.register(simpleSale(key)))
      expect(value(await t.register.register(simpleSale(key)))).toEqual(doc)
      expect(receiptsIn(t.journal()).filter(k => k === key)).toHaveLength(1)
    })

    it("a receipt that does not add up is refused before any document", async () => {
      value(await t.register.openShift())
      const bad = { ...simpleSale(randomUUID()), payments: [{ method: "cash" as const, amount: 1 }] }
      expect(isInvalidReceipt(error(await t.register.register(bad)))).toBe(true)
      expect(receiptsIn(t.journal())).toEqual([])
    })
  })
}
