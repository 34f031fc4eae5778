import type Database from "better-sqlite3"
import type { Row } from "./rows.js"
import { searchBody } from "./searchText.js"

type Pet = { name: string; chip: string }

/** FTS5's own default automerge */
const FTS_AUTOMERGE = 4

/**
 * Keeps the client search index (client_search, keyed through client_keys) in step with the
 * records: one row per live client, rebuilt from its record and its live patients (searchBody).
 * Called in the transaction that wrote the records, after them; ClientSearch reads it.
 */
export class SearchIndex {
  readonly #db: Database.Database
  readonly #stmts: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.#db = db
    this.#stmts = prepare(db)
  }

  /** Rebuilds the search row of one client from its record and its patients. */
  reindexClient(clientId: string): void {
    const c = this.#stmts.clientForIndex.get(clientId) as Row | undefined
    this.#stmts.deleteSearch.run(clientId)
    if (!c || c.deleted === 1) return
    const pets = this.#stmts.petsForIndex.all(clientId) as Pet[]
    this.#stmts.clientKey.run(clientId)
    this.#stmts.insertSearch.run(clientId, clientId, searchBody(String(c.name), String(c.phone), String(c.email), pets))
  }

  /**
   * Adds the search row of a live client that has none yet (a new desk's bulk load): its body as
   * searchBody makes it from the record and its live patients (made by the relay, or by the desk).
   */
  indexNewClient(clientId: string, body: string): void {
    this.#stmts.clientKey.run(clientId)
    this.#stmts.insertSearch.run(clientId, clientId, body)
  }

  /**
   * FTS5 merges the index's segments as rows are written (its automerge, default 4). A fresh desk's
   * bulk load turns that off (merging while 60,000 clients stream in cost about a fifth of the
   * index's time) and on again at its end; later writes merge the segments a little at a time.
   */
  setMerging(on: boolean): void {
    // a literal: FTS5 takes only an SQL integer, and a bound JS number is a REAL
    this.#db.exec(`INSERT INTO client_search (client_search, rank) VALUES ('automerge', ${on ? FTS_AUTOMERGE : 0})`)
  }

  /** True while merging is off (a bulk load, or one a stopped desk left half-way). */
  mergingOff(): boolean {
    const row = this.#db.prepare("SELECT v FROM client_search_config WHERE k = 'automerge'").get() as
      { v: unknown } | undefined
    return row !== undefined && Number(row.v) === 0
  }

  /** Rebuilds the whole search index (after a bulk load, or a migration). */
  reindexAll(): void {
    this.#db.exec("DELETE FROM client_search")
    const pets = new Map<string, Pet[]>()
    // .all(), not .iterate(): better-sqlite3 allows no other statement while an iterator is open
    for (const p of this.#db.prepare("SELECT client_id, name, chip FROM patients WHERE deleted = 0").all()) {
      const r = p as { client_id: string; name: string; chip: string }
      const list = pets.get(r.client_id) ?? []
      list.push(r)
      pets.set(r.client_id, list)
    }
    const insert = this.#stmts.insertSearch
    for (const c of this.#db.prepare("SELECT id, name, phone, email FROM clients WHERE deleted = 0").all()) {
      const r = c as { id: string; name: string; phone: string; email: string }
      this.#stmts.clientKey.run(r.id)
      insert.run(r.id, r.id, searchBody(r.name, r.phone, r.email, pets.get(r.id) ?? []))
    }
  }
}

const prepare = (db: Database.Database) => ({
  clientForIndex: db.prepare("SELECT name, phone, email, deleted FROM clients WHERE id = ?"),
  petsForIndex: db.prepare("SELECT name, chip FROM patients WHERE client_id = ? AND deleted = 0"),
  clientKey: db.prepare("INSERT OR IGNORE INTO client_keys (id) VALUES (?)"),
  deleteSearch: db.prepare("DELETE FROM client_search WHERE rowid = (SELECT n FROM client_keys WHERE id = ?)"),
  insertSearch: db.prepare(
    "INSERT INTO client_search (rowid, id, body) VALUES ((SELECT n FROM client_keys WHERE id = ?), ?, ?)",
  ),
})
