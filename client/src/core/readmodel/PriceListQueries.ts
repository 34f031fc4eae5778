import type { PriceItem } from "@vetsync/shared"
import { priceOfRow, type Row } from "./rows.js"
import { fold } from "./searchText.js"
import type { Statements } from "./Statements.js"

/** The clinic's price list as the bridge last published it: the active items for what staff typed, an item by id. */
export class PriceListQueries {
  readonly #statements: Statements

  constructor(statements: Statements) {
    this.#statements = statements
  }

  /** active items whose code and name contain every typed word (case and ё aside), by name */
  search(query: string, limit = 30): PriceItem[] {
    const words = fold(query.trim()).split(/\s+/).filter(Boolean)
    const where = ["active = 1", ...words.map(() => "name_lc LIKE ?")]
    return (
      this.#statements
        .of(`SELECT * FROM price_items WHERE ${where.join(" AND ")} ORDER BY name LIMIT ?`)
        .all(...words.map(w => `%${w}%`), limit) as Row[]
    ).map(priceOfRow)
  }
  get(id: string): PriceItem | undefined {
    const r = this.#statements.of("SELECT * FROM price_items WHERE id = ?").get(id) as Row | undefined
    return r ? priceOfRow(r) : undefined
  }
}
