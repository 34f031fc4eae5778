import * as fs from "node:fs"
import * as path from "node:path"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { DeskCore } from "../../src/index.js"
import { FiscalDesk } from "../../src/core/fiscal/FiscalDesk.js"
import type { JournalEntry } from "../../src/core/fiscal/FiscalEmulator.js"
import { CLINIC, NO_PIN_MEMBER, PRICE_ITEMS, seedPriceList, seedStaff, tmpDir } from "../core/fixtures.js"

const journal = (dir: string): JournalEntry[] =>
  fs
    .readFileSync(path.join(dir, "fiscal-emulator.jsonl"), "utf8")
    .split("\n")
    .filter(l => l.trim() !== "")
    .map(l => JSON.parse(l) as JournalEntry)

describe("payments make receipts on the desk's register", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  it("a register failure leaves the payment written and its receipt failed; the retry prints it once, and the payment carries its number and sign", async () => {
    const dir = tmpDir("payment-receipts")
    const items = PRICE_ITEMS.map(i => (i.id === "item-consult" ? { ...i, vat: "vat22" as const } : i))
    await seedPriceList(dir, CLINIC, items)
    await seedStaff(dir, [NO_PIN_MEMBER])
    const desk = await DeskCore.open({ dataDir: dir, server: undefined, clinicId: CLINIC, deskId: "desk-a", deskCode: "DA", fiscal: { kind: "emulator" } })
    open.push(desk)
    await eventually("the desk to have the price list", async () => (await desk.call("pricelist.search", { query: "конс" })).length === 1, 30_000)
    await eventually("the desk to have the staff", async () => (await desk.call("staff.list", undefined)).length === 1, 30_000)
    await desk.call("session.signIn", { staffId: NO_PIN_MEMBER.id, pin: "" })
    const { client } = await desk.call("clients.create", { name: "Кассовая Ольга", phone: "+7 916 123-45-67" })
    const invoice = await desk.call("invoices.create", {
      clientId: client.id,
      lines: [
        { itemId: "item-consult", qtyMilli: 1000 },
        { itemId: "item-food", qtyMilli: 1500 },
      ],
    })

    // the shift is closed: the register refuses, the payment is written all the same
    const paid = await desk.call("invoices.pay", { id: invoice.id, payments: [{ method: "card", amount: 100_000 }] })
    const id = paid.payments[0]?.id ?? ""
    expect(paid.invoice.state).toBe("partly_paid")
    const failed = await eventually(
      "the payment's receipt to fail",
      async () => (await desk.call("fiscal.receipts", { states: ["failed"] })).find(r => r.key === id) ?? null,
      30_000,
    )
    expect(failed.error?.kind).toBe("shift-closed")
    expect(failed.request).toMatchObject({
      sign: "sell",
      items: [{ name: "Консультация терапевта", qtyMilli: 1000, price: 100_000, vat: "vat22", kind: "service" }],
      payments: [{ method: "card", amount: 100_000 }],
      cashier: { name: NO_PIN_MEMBER.name },
      clientContact: "+79161234567",
    })
    await eventually(
      "the payment to say its receipt failed",
      async () => (await desk.call("invoices.get", { id: invoice.id }))?.payments.find(p => p.id === id)?.fiscalState === "failed",
      30_000,
    )

    const shift = await desk.call("fiscal.openShift", {})
    expect(shift.ok).toBe(true)
    await desk.call("fiscal.retry", { key: id })
    await desk.call("fiscal.retry", {})
    const done = (await desk.call("fiscal.receipts", { states: ["done"] })).find(r => r.key === id)
    expect(done?.doc).toBeTruthy()
    const printed = await eventually(
      "the payment to carry its fiscal number and sign",
      async () => {
        const p = (await desk.call("invoices.get", { id: invoice.id }))?.payments.find(x => x.id === id)
        return p?.fiscalState === "printed" ? p : null
      },
      30_000,
    )
    expect(printed.fiscalNumber).toBe(String(done?.doc?.number))
    expect(printed.fiscalSign).toBe(done?.doc?.sign)
    const sold = journal(dir).filter(e => e.type === "sell")
    expect(sold).toHaveLength(1)
    expect(sold[0]?.type === "sell" && sold[0].doc.number).toBe(done?.doc?.number)
  })

  it("a receipt printed while the desk was down is written into its payment when the desk starts again", async () => {
    const dir = tmpDir("payment-receipts-restart")
    await seedPriceList(dir)
    const open1 = (): Promise<DeskCore> =>
      DeskCore.open({ dataDir: dir, server: undefined, clinicId: CLINIC, deskId: "desk-a", deskCode: "DA", fiscal: { kind: "emulator" } })
    let desk = await open1()
    open.push({ close: () => desk.close() })
    await eventually("the desk to have the price list", async () => (await desk.call("pricelist.search", { query: "корм" })).length === 1, 30_000)
    const { client } = await desk.call("clients.create", { name: "Перезапусков Олег", email: "oleg@example.ru" })
    const invoice = await desk.call("invoices.create", { clientId: client.id, lines: [{ itemId: "item-food", qtyMilli: 1000 }] })
    // the shift is closed: refused, failed
    const paid = await desk.call("invoices.pay", { id: invoice.id, payments: [{ method: "cash", amount: invoice.total, tendered: invoice.total + 2000 }] })
    const id = paid.payments[0]?.id ?? ""
    await eventually(
      "the payment to say its receipt failed",
      async () => (await desk.call("invoices.get", { id: invoice.id }))?.payments.find(p => p.id === id)?.fiscalState === "failed",
      30_000,
    )
    await desk.close()

    // the register prints it while the desk is down (its queue alone, no payment to write into)
    const alone = new FiscalDesk({ dataDir: dir, config: { kind: "emulator" }, deskId: "desk-a", timeZone: () => "Europe/Moscow" })
    expect((await alone.openShift()).ok).toBe(true)
    await alone.retry(id)
    const done = alone.receipts(["done"]).find(r => r.key === id)
    expect(done?.request.clientContact).toBe("oleg@example.ru")
    expect(done?.request.payments).toEqual([{ method: "cash", amount: invoice.total }])
    await alone.close()

    desk = await open1()
    const printed = await eventually(
      "the payment to carry the number printed while the desk was down",
      async () => {
        const p = (await desk.call("invoices.get", { id: invoice.id }))?.payments.find(x => x.id === id)
        return p?.fiscalState === "printed" ? p : null
      },
      30_000,
    )
    expect([printed.fiscalNumber, printed.fiscalSign]).toEqual([String(done?.doc?.number), done?.doc?.sign])
    expect(journal(dir).filter(e => e.type === "sell")).toHaveLength(1)
  })
})
