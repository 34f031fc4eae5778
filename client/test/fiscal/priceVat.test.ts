import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { priceItemFromDoc, priceItemToDoc, VAT_RATES, type PriceItem } from "@vetsync/shared"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-vat-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const item = (code: string, vat?: PriceItem["vat"]): PriceItem => ({
  id: `item-${code}`,
  code,
  name: code,
  kind: "service",
  price: 100_00,
  unit: "",
  active: true,
  updatedAt: "2026-12-01T00:00:00.000Z",
  ...(vat ? { vat } : {}),
})

describe("a price item's VAT rate on the desk", () => {
  it("survives the price-list document and the read model; an item without one reads 'none'", () => {
    fc.assert(
      fc.property(fc.constantFrom(...VAT_RATES), vat => {
        expect(priceItemFromDoc(priceItemToDoc(item("A", vat))).vat).toBe(vat)
      }),
    )
    expect(priceItemFromDoc(priceItemToDoc(item("B"))).vat).toBeUndefined()
    const rm = ReadModel.open(path.join(dir, "readmodel.sqlite"))
    try {
      rm.transaction(() => rm.replacePriceList([item("A", "vat22"), item("B")]))
      expect(rm.priceList.search("").map(i => [i.code, i.vat])).toEqual([
        ["A", "vat22"],
        ["B", "none"],
      ])
    } finally {
      rm.close()
    }
  })
})
