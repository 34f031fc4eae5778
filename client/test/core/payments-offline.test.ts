import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import type { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import type { DeskCore } from "../../src/index.js"
import { openDesk, relayUrl, seedPriceList, startRelay, tmpDir } from "./fixtures.js"

describe("payments for one invoice taken at two desks while apart", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  it("merge without losing either; a refund and the void follow on both desks", async () => {
    const root = tmpDir("payments")
    const relayDir = path.join(root, "relay")
    await seedPriceList(relayDir)
    let relay: RelayServer = await startRelay(relayDir)
    const port = relay.port
    const url = relayUrl(relay)
    const a: DeskCore = await openDesk(path.join(root, "a"), url, "desk-a")
    const b: DeskCore = await openDesk(path.join(root, "b"), url, "desk-b")
    open.push(a, b, { close: () => relay.close() })
    await eventually(
      "desk A to have the price list",
      async () => (await a.call("pricelist.search", { query: "вакц" })).length === 1,
      45_000,
    )
    const { client } = await a.call("clients.create", { name: "Платёжная Анна" })
    const invoice = await a.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-vaccine", qtyMilli: 2000 }],
    })
    await eventually(
      "desk B to receive the invoice",
      async () => (await b.call("invoices.get", { id: invoice.id })) !== null,
      45_000,
    )
    await eventually(
      "desk A to have nothing waiting for the relay",
      async () => (await a.call("status", undefined)).waitingRecords === 0,
      45_000,
    )

    await relay.close()
    await eventually(
      "desks A and B to notice the relay is gone",
      async () => !(await a.call("status", undefined)).online && !(await b.call("status", undefined)).online,
      45_000,
    )
    // A takes part by card, B takes part in cash with change: neither knows of the other
    const card = Math.floor(invoice.total / 3)
    const cash = invoice.total - card - 100
    const paidA = await a.call("invoices.pay", { id: invoice.id, payments: [{ method: "card", amount: card }] })
    const paidB = await b.call("invoices.pay", {
      id: invoice.id,
      payments: [{ method: "cash", amount: cash, tendered: cash + 5000 }],
    })
    expect(paidA.invoice.state).toBe("partly_paid")
    expect(paidB.payments[0]).toMatchObject({
      method: "cash",
      tendered: cash + 5000,
      change: 5000,
      desk: "desk-b",
      staff: "",
    })

    relay = await startRelay(relayDir, port)
    for (const [name, desk] of [["A", a] as const, ["B", b] as const]) {
      const merged = await eventually(
        `desk ${name} to show both desks' payments on the invoice`,
        async () => {
          const v = await desk.call("invoices.get", { id: invoice.id })
          return v && v.payments.length === 2 ? v : null
        },
        60_000,
      )
      expect(merged.payments.map(p => [p.desk, p.method, p.amount]).sort()).toEqual(
        [
          ["desk-a", "card", card],
          ["desk-b", "cash", cash],
        ].sort(),
      )
      expect(merged.money).toMatchObject({ paid: card + cash, due: 100 })
      expect(merged.state).toBe("partly_paid")
    }

    // the rest, then a refund of everything, then the void: both desks end alike
    await a.call("invoices.pay", { id: invoice.id, payments: [{ method: "transfer", amount: 100 }] })
    expect((await a.call("invoices.get", { id: invoice.id }))?.state).toBe("paid")
    await expect(a.call("invoices.void", { id: invoice.id, reason: "ошибка" })).rejects.toThrow(/refund it first/)
    await a.call("invoices.refund", { id: invoice.id, method: "card", reason: "передумали", amount: invoice.total })
    const voided = await a.call("invoices.void", { id: invoice.id, reason: "выписан по ошибке" })
    expect(voided).toMatchObject({ status: "void", voidReason: "выписан по ошибке", voidedBy: "desk-a" })
    const onB = await eventually(
      "desk B to show the refund and the void",
      async () => {
        const v = await b.call("invoices.get", { id: invoice.id })
        return v && v.state === "void" && v.payments.length === 4 ? v : null
      },
      60_000,
    )
    expect(onB.voidReason).toBe("выписан по ошибке")
    expect(onB.money).toMatchObject({ paid: invoice.total, refunded: invoice.total, net: 0 })
    const found = await b.call("invoices.search", {
      number: invoice.number.slice(0, 4).toLowerCase(),
      states: ["void"],
    })
    expect(found.items.map(i => i.id)).toEqual([invoice.id])
    expect(found.total).toBe(1)
  })
})
