import * as path from "node:path"
import { paymentKey, recordToDoc, type InvoicesDoc, type Payment } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { DeskError, type DeskCore } from "../../src/index.js"
import { openDesk, relayUrl, seedPriceList, startRelay, tmpDir } from "./fixtures.js"

/**
 * "Mark paid" takes what is due in cash. Another desk's payment can merge into the invoice's
 * document a moment before the read model shows it (chaos seed 149): what is due must be read
 * from the document the payment is written against, not from the read model.
 */
describe("mark paid against a payment merged a moment ago", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  /** Writes a payment into the invoice's document as another desk's merged change would arrive, bypassing this desk's commands. */
  const mergePayment = (desk: DeskCore, invoiceId: string, amount: number): void => {
    const key = desk.rm.invoices.docKeyOf(invoiceId)
    if (!key) throw new Error(`no document for invoice ${invoiceId}`)
    const handle = desk.docs.handleOf(key as Parameters<DeskCore["docs"]["handleOf"]>[0])
    if (!handle) throw new Error(`${key} is not open`)
    const id = `pay-other-${amount}`
    const payment: Payment = {
      id,
      invoiceId,
      kind: "payment",
      method: "card",
      amount,
      tendered: 0,
      change: 0,
      lines: [],
      reason: "",
      at: new Date().toISOString(),
      desk: "desk-other",
      staff: "",
      fiscalState: "none",
      fiscalNumber: "",
      fiscalSign: "",
    }
    handle.change(d => {
      const map = (d as unknown as InvoicesDoc).payments
      if (!map) throw new Error(`${key} has no payments map`)
      map[paymentKey(invoiceId, id)] = recordToDoc({ ...payment }) as never
    })
  }

  it("answers 'nothing is due' when the merged payment settled it, and pays only the rest when it did not", async () => {
    const root = tmpDir("markpaid")
    const relayDir = path.join(root, "relay")
    await seedPriceList(relayDir)
    const relay = await startRelay(relayDir)
    const desk = await openDesk(path.join(root, "a"), relayUrl(relay), "desk-a")
    open.push(desk, { close: () => relay.close() })
    await eventually(
      "the desk to have the price list",
      async () => (await desk.call("pricelist.search", { query: "вакц" })).length === 1,
      45_000,
    )
    const { client } = await desk.call("clients.create", { name: "Гонка Оплат" })
    const settled = await desk.call("invoices.create", { clientId: client.id, lines: [{ itemId: "item-vaccine", qtyMilli: 1000 }] })
    const partly = await desk.call("invoices.create", { clientId: client.id, lines: [{ itemId: "item-vaccine", qtyMilli: 3000 }] })

    // the whole sum arrives from another desk; the read model has not seen it yet
    mergePayment(desk, settled.id, settled.total)
    expect(desk.rm.invoices.get(settled.id)?.payments ?? []).toHaveLength(0)
    const refused = await desk.call("invoices.markPaid", { id: settled.id }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(DeskError)
    expect((refused as DeskError).code).toBe("bad_request")
    expect((refused as DeskError).message).toMatch(/nothing is due/)

    // honest: a third arrives from another desk; mark paid takes exactly the rest
    const third = Math.floor(partly.total / 3)
    mergePayment(desk, partly.id, third)
    const paid = await desk.call("invoices.markPaid", { id: partly.id })
    expect(paid.state).toBe("paid")
    const mine = paid.payments.filter(p => p.desk === "desk-a")
    expect(mine.map(p => p.amount)).toEqual([partly.total - third])
  })
})
