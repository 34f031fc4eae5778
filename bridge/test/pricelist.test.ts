import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { contentsOf, imm, priceItemsOfDoc, type PriceListDoc } from "@vetsync/shared"
import { Bridge } from "../src/Bridge.js"
import { listPriceItems, setPrice } from "../src/queries/nomenclature.js"
import { openDoc } from "../src/sync/openDoc.js"
import { makeClient, makeInvoice, makePatient, put } from "./helpers/records.js"
import { eventually } from "@vetsync/test-kit"
import { useTestDatabase } from "@vetsync/db/testing"

const CLINIC = "clinic-price"
const db = useTestDatabase()

describe("price list: PostgreSQL is the master", () => {
  let repo: Repo
  let bridge: Bridge
  const priceOf = async (code: string) =>
    priceItemsOfDoc((await openDoc<PriceListDoc>(repo, CLINIC, "pricelist")).doc()).find(i => i.code === code)?.price

  beforeAll(async () => {
    repo = new Repo({ network: [] })
    await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [CLINIC])
    await setPrice(db.pool, CLINIC, { code: "VAC", name: "Vaccination", price: 150000 })
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("publishes the nomenclature at start", async () => {
    expect(await priceOf("VAC")).toBe(150000)
    expect((await listPriceItems(db.pool, CLINIC)).map(i => i.code)).toEqual(["VAC"])
  })

  it("a price changed by SQL reaches the document; an invoice issued before keeps its price", async () => {
    const c = makeClient()
    const p = makePatient(c.id)
    const inv = makeInvoice(c, p)
    await put(repo, CLINIC, "clients", c)
    await put(repo, CLINIC, "patients", p)
    await put(repo, CLINIC, "invoices", inv)
    await bridge.idle()

    await db.pool.query("UPDATE nomenclature SET price_kopecks = 175000 WHERE clinic_id = $1 AND code = 'VAC'", [
      CLINIC,
    ])
    await eventually("the new VAC price in the price list", async () => (await priceOf("VAC")) === 175000, 20_000)
    await setPrice(db.pool, CLINIC, { code: "XRAY", name: "X-ray", price: 320000 })
    await eventually("XRAY in the price list", async () => (await priceOf("XRAY")) === 320000, 20_000)

    await bridge.idle()
    const line = (
      await db.pool.query("SELECT price_kopecks FROM invoice_items WHERE invoice_id = $1 AND code = 'VAC'", [inv.id])
    ).rows[0]
    expect(line.price_kopecks).toBe(150000)
    const invDoc = await openDoc(repo, CLINIC, "invoices/2026-11")
    const lines = (contentsOf(invDoc.doc()) as unknown as { invoices: Record<string, { lines: { price: number }[] }> }).invoices[
      inv.id
    ]!.lines
    expect(lines[0]!.price).toBe(150000)
  })

  it("an item's VAT rate is kept in PostgreSQL and published with the price list; items without one are 'none'", async () => {
    const itemOf = async (code: string) =>
      priceItemsOfDoc((await openDoc<PriceListDoc>(repo, CLINIC, "pricelist")).doc()).find(i => i.code === code)
    await setPrice(db.pool, CLINIC, { code: "FOOD", name: "Корм", kind: "product", price: 90000, vat: "vat22" })
    await eventually("FOOD with its VAT rate in the price list", async () => (await itemOf("FOOD"))?.vat === "vat22", 20_000)
    expect((await listPriceItems(db.pool, CLINIC)).find(i => i.code === "VAC")?.vat).toBe("none")
    expect((await itemOf("VAC"))?.vat ?? "none").toBe("none")
    await db.pool.query("UPDATE nomenclature SET vat_rate = 'vat10' WHERE clinic_id = $1 AND code = 'FOOD'", [CLINIC])
    await eventually("FOOD's new rate in the price list", async () => (await itemOf("FOOD"))?.vat === "vat10", 20_000)
    await expect(
      db.pool.query("UPDATE nomenclature SET vat_rate = '18%' WHERE clinic_id = $1 AND code = 'FOOD'", [CLINIC]),
    ).rejects.toThrow(/nomenclature_vat_rate/)
  })

  it("a desk's edit of the server-owned price list is overwritten by the master", async () => {
    const handle = await openDoc<PriceListDoc>(repo, CLINIC, "pricelist")
    const id = Object.keys(handle.doc().items).find(k => handle.doc().items[k]!.code.val === "VAC")!
    handle.change(d => {
      d.items[id]!.price = 1
      d.items[id]!.name = imm("tampered")
    })
    await eventually("the master price back", async () => (await priceOf("VAC")) === 175000, 20_000)
    expect(
      (await db.pool.query("SELECT price_kopecks FROM nomenclature WHERE code = 'VAC'")).rows[0].price_kopecks,
    ).toBe(175000)
  })
})
