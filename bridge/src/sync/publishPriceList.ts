import type { Repo } from "@automerge/automerge-repo"
import { imm, priceItemFromDoc, priceItemToDoc, type PriceItem, type PriceListDoc } from "@vetsync/shared"
import type pg from "pg"
import { listPriceItems } from "../queries/nomenclature.js"
import { openDoc } from "./openDoc.js"

const same = (a: PriceItem, b: PriceItem): boolean =>
  a.id === b.id &&
  a.code === b.code &&
  a.name === b.name &&
  a.kind === b.kind &&
  a.price === b.price &&
  a.unit === b.unit &&
  a.active === b.active &&
  a.updatedAt === b.updatedAt &&
  // an item published before VAT rates has none: "none"
  (a.vat ?? "none") === (b.vat ?? "none")

/**
 * Makes the clinic's server-owned `pricelist` document equal to the nomenclature table
 * (the master): changed items are rewritten, removed items deleted. Anything else in the
 * document (a tampered desk's edit that got through) is overwritten. Invoices are not
 * touched: their lines carry the price they were issued at. Returns whether it changed.
 */
export const publishPriceList = async (pool: pg.Pool, repo: Repo, clinicId: string): Promise<boolean> => {
  const items = await listPriceItems(pool, clinicId)
  const handle = await openDoc<PriceListDoc>(repo, clinicId, "pricelist")
  const current = handle.doc().items ?? {}
  const want = new Map(items.map(i => [i.id, i]))
  const stale = Object.keys(current).filter(id => !want.has(id))
  const fresh = items.filter(i => {
    const c = current[i.id]
    return !c || !same(priceItemFromDoc(c), i)
  })
  if (stale.length === 0 && fresh.length === 0) return false
  handle.change(d => {
    if (!d.items) d.items = {}
    for (const id of stale) delete d.items[id]
    for (const i of fresh) d.items[i.id] = priceItemToDoc(i)
    d.publishedAt = imm(new Date().toISOString())
  })
  return true
}
