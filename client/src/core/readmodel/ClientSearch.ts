import type Database from "better-sqlite3"
import type { ClientSearchResult } from "../api.js"
import { withPets, type HitRow } from "./hits.js"
import { likeEscaped, parseSearch, prefixEnd } from "./searchText.js"

const NONE: ClientSearchResult = { hits: [], total: 0 }
/** where the name ends in a search body (NAME_END) */
const NAME_LENGTH = "instr(s.body, char(31))"
/** a word of the name starts with the parameter (" федоров"): its first occurrence is within the name */
const WORD_START = `instr(' ' || s.body, ?) BETWEEN 1 AND ${NAME_LENGTH}`

/**
 * Client search as staff expect it, over the read model's clients and its trigram index:
 *
 * - words: names that start with what was typed ("Федоров" -> Фёдоров, Фёдорова; "Кузнецов Але"
 *   -> Кузнецов Алексей), then names whose surname starts with the first word and whose other
 *   words start with the others, then the surname alone, then names with any word starting with
 *   one typed ("…Фёдорович"), then anything else that contains the words (pets, chips, e-mail,
 *   the middle of a word); alphabetical within each.
 * - a phone: the clients whose number is exactly the typed one, however either was typed, then
 *   numbers that contain the typed digits.
 *
 * `total` counts every match, not just the page. The first tier comes from the name index alone;
 * only when it does not fill the page are the other matches ranked, from the search bodies (which
 * start with the name) without reading a client row per match.
 */
export class ClientSearch {
  readonly #db: Database.Database
  readonly #statements = new Map<string, Database.Statement>()

  constructor(db: Database.Database) {
    this.#db = db
  }

  #prepare(sql: string): Database.Statement {
    let s = this.#statements.get(sql)
    if (!s) {
      s = this.#db.prepare(sql)
      this.#statements.set(sql, s)
    }
    return s
  }

  find(query: string, limit: number): ClientSearchResult {
    const q = parseSearch(query)
    if (q.kind === "empty") return NONE
    if (q.kind === "phone") return this.#byPhone(q.digits, q.exact, limit)
    const { prefix, words, fts, likes } = q
    if (fts === null) return this.#byInitials(words, limit)
    const first = this.#prepare(
      "SELECT id, name, phone FROM clients WHERE name_lc >= ? AND name_lc < ? AND deleted = 0 ORDER BY name_lc LIMIT ?",
    ).all(prefix, prefixEnd(prefix), limit) as HitRow[]
    const short = likes.map(() => " AND s.body LIKE ? ESCAPE '\\'").join("")
    const shortArgs = likes.map(l => `%${likeEscaped(l)}%`)
    const total = this.#count(`SELECT count(*) AS n FROM client_search s WHERE s.body MATCH ?${short}`, [
      fts,
      ...shortArgs,
    ])
    if (first.length >= limit) return { hits: withPets(this.#db, first), total }
    const [w0 = "", ...others] = words
    const allOthers = others.length ? others.map(() => WORD_START).join(" AND ") : "1"
    const anyWord = words.map(() => WORD_START).join(" OR ")
    const ids = this.#prepare(
      `SELECT s.id FROM client_search s WHERE s.body MATCH ?${short} AND substr(s.body, 1, ?) <> ?
       ORDER BY CASE WHEN substr(s.body, 1, ?) = ? THEN (CASE WHEN ${allOthers} THEN 1 ELSE 2 END)
                     WHEN ${anyWord} THEN 3 ELSE 4 END, s.body
       LIMIT ?`,
    )
      .pluck()
      .all(
        fts,
        ...shortArgs,
        [...prefix].length,
        prefix,
        [...w0].length,
        w0,
        ...others.map(w => ` ${w}`),
        ...words.map(w => ` ${w}`),
        limit - first.length,
      ) as string[]
    return { hits: withPets(this.#db, [...first, ...this.#rows(ids)]), total }
  }

  /**
   * Words of one or two letters: names whose surname starts with the first and whose other words
   * start with the others ("ив ан" -> Иванова Анна, Ивашов Андрей), alphabetical.
   */
  #byInitials(words: readonly string[], limit: number): ClientSearchResult {
    const [w0 = "", ...others] = words
    const where = `name_lc >= ? AND name_lc < ? AND deleted = 0${others.map(() => " AND instr(' ' || name_lc, ?) > 0").join("")}`
    const args = [w0, prefixEnd(w0), ...others.map(w => ` ${w}`)]
    const rows = this.#prepare(`SELECT id, name, phone FROM clients WHERE ${where} ORDER BY name_lc LIMIT ?`).all(
      ...args,
      limit,
    ) as HitRow[]
    return {
      hits: withPets(this.#db, rows),
      total: this.#count(`SELECT count(*) AS n FROM clients WHERE ${where}`, args),
    }
  }

  /** the exact number first (by its canonical form), then numbers that contain the digits, by name */
  #byPhone(digits: string, exact: string, limit: number): ClientSearchResult {
    const partial = digits.length >= 3 ? `"${digits}"` : null
    const exactRows = exact
      ? (this.#prepare(
          "SELECT id, name, phone FROM clients WHERE phone_key = ? AND deleted = 0 ORDER BY name_lc LIMIT ?",
        ).all(exact, limit) as HitRow[])
      : []
    if (partial === null) return { hits: withPets(this.#db, exactRows), total: exactRows.length }
    const total = exact
      ? this.#count(
          `SELECT count(*) AS n FROM (SELECT s.rowid FROM client_search s WHERE s.body MATCH ?
           UNION SELECT k.n FROM clients c JOIN client_keys k ON k.id = c.id WHERE c.phone_key = ? AND c.deleted = 0)`,
          [partial, exact],
        )
      : this.#count("SELECT count(*) AS n FROM client_search s WHERE s.body MATCH ?", [partial])
    if (exactRows.length >= limit) return { hits: withPets(this.#db, exactRows), total }
    const seen = new Set(exactRows.map(r => r.id))
    const ids = (
      this.#prepare("SELECT s.id FROM client_search s WHERE s.body MATCH ? ORDER BY s.body LIMIT ?")
        .pluck()
        .all(partial, limit) as string[]
    ).filter(id => !seen.has(id))
    return { hits: withPets(this.#db, [...exactRows, ...this.#rows(ids.slice(0, limit - exactRows.length))]), total }
  }

  /** the clients of these ids, in this order */
  #rows(ids: readonly string[]): HitRow[] {
    if (ids.length === 0) return []
    const rows = this.#db
      .prepare(`SELECT id, name, phone FROM clients WHERE id IN (${ids.map(() => "?").join(",")})`)
      .all(...ids) as HitRow[]
    const byId = new Map(rows.map(r => [r.id, r]))
    return ids.flatMap(id => byId.get(id) ?? [])
  }

  #count(sql: string, args: unknown[]): number {
    return Number((this.#prepare(sql).get(...args) as { n: number }).n)
  }
}
