import type { ItemKind, PriceItem } from "@vetsync/shared"
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
})

export const listPriceItems = async (db: Db, clinicId: string): Promise<PriceItem[]> =>
  (
    await db.query<NomenclatureRow>(
      "SELECT id, code, name, kind, price_kopecks, unit, active, updated_at FROM nomenclature WHERE clinic_id = $1 ORDER BY code",
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
}

/** Creates or updates the item with this code (what `vetsync price set` calls). */
export const setPrice = async (db: Db, clinicId: string, p: PriceInput): Promise<PriceItem> => {
  if (!Number.isSafeInteger(p.price) || p.price < 0)
    throw new Error("price must be a whole, non-negative number of kopecks")
  const res = await db.query<NomenclatureRow>(
    `INSERT INTO nomenclature (clinic_id, code, name, kind, price_kopecks, unit, active)
     VALUES ($1, $2, coalesce($3, $2), coalesce($4, 'service'), $5, coalesce($6, ''), coalesce($7, true))
     ON CONFLICT (clinic_id, code) DO UPDATE SET
       name = coalesce($3, nomenclature.name), kind = coalesce($4, nomenclature.kind),
       price_kopecks = $5, unit = coalesce($6, nomenclature.unit), active = coalesce($7, nomenclature.active)
     RETURNING id, code, name, kind, price_kopecks, unit, active, updated_at`,
    [clinicId, p.code, p.name ?? null, p.kind ?? null, p.price, p.unit ?? null, p.active ?? null],
  )
  const row = res.rows[0]
  if (!row) throw new Error(`price ${p.code} was not written`)
  return toItem(row)
}
