import { isVatRate, type ItemKind, type PriceItem, type VatRate } from "@vetsync/shared"
import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

interface NomenclatureRow {
  id: string
  code: string
  name: string
  kind: ItemKind
  price_kopecks: number
  unit: string
  active: boolean
  updated_at: Date
  vat_rate: string
}

const toItem = (r: NomenclatureRow): PriceItem => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  price: Number(r.price_kopecks),
  unit: r.unit,
  active: r.active,
  updatedAt: r.updated_at.toISOString(),
  vat: isVatRate(r.vat_rate) ? r.vat_rate : "none",
})

export const listPriceItems = async (db: Db, clinicId: string): Promise<PriceItem[]> =>
  (
    await db.query<NomenclatureRow>(
      "SELECT id, code, name, kind, price_kopecks, unit, active, updated_at, vat_rate FROM nomenclature WHERE clinic_id = $1 ORDER BY code",
      [clinicId],
    )
  ).rows.map(toItem)

export interface PriceInput {
  code: string
  price: number
  name?: string
  kind?: ItemKind
  unit?: string
  active?: boolean
  /** the VAT rate for receipts (new items: "none") */
  vat?: VatRate
}

/** Creates or updates the item with this code (what `vetsync price set` calls). */
export const setPrice = async (db: Db, clinicId: string, p: PriceInput): Promise<PriceItem> => {
  if (!Number.isSafeInteger(p.price) || p.price < 0)
    throw new Error("price must be a whole, non-negative number of kopecks")
  const res = await db.query<NomenclatureRow>(
    `INSERT INTO nomenclature (clinic_id, code, name, kind, price_kopecks, unit, active, vat_rate)
     VALUES ($1, $2, coalesce($3, $2), coalesce($4, 'service'), $5, coalesce($6, ''), coalesce($7, true), coalesce($8, 'none'))
     ON CONFLICT (clinic_id, code) DO UPDATE SET
       name = coalesce($3, nomenclature.name), kind = coalesce($4, nomenclature.kind),
       price_kopecks = $5, unit = coalesce($6, nomenclature.unit), active = coalesce($7, nomenclature.active),
       vat_rate = coalesce($8, nomenclature.vat_rate)
     RETURNING id, code, name, kind, price_kopecks, unit, active, updated_at, vat_rate`,
    [clinicId, p.code, p.name ?? null, p.kind ?? null, p.price, p.unit ?? null, p.active ?? null, p.vat ?? null],
  )
  const row = res.rows[0]
  if (!row) throw new Error(`price ${p.code} was not written`)
  return toItem(row)
}
