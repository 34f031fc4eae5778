import type Database from "better-sqlite3"
import type { Client } from "@vetsync/shared"
import type { ClientSearchHit, ClientSearchResult, DuplicateCandidate } from "../api.js"
import { ClientSearch } from "./ClientSearch.js"
import { likelyDuplicates, type NewClientSketch } from "./duplicates.js"
import { clientOfRow, type Row } from "./rows.js"
import type { Statements } from "./Statements.js"

/**
 * Finding a client at the front desk: what staff typed (ClientSearch over the trigram index), the
 * existing clients a new one probably is (duplicates.ts), and a client by id.
 */
export class ClientQueries {
  readonly #db: Database.Database
  readonly #statements: Statements
  readonly #search: ClientSearch

  /** `db` for the search and the duplicate check (statements of their own), `statements` for the rest. */
  constructor(db: Database.Database, statements: Statements) {
    this.#db = db
    this.#statements = statements
    this.#search = new ClientSearch(db)
  }

  /** A page of clients for what staff typed, best first, and how many match in all (ClientSearch). */
  find(query: string, limit = 30): ClientSearchResult {
    return this.#search.find(query, limit)
  }
  /** The page of find alone. */
  search(query: string, limit = 30): ClientSearchHit[] {
    return this.find(query, limit).hits
  }
  /** Existing clients a new one probably is: same phone, or same name and pet name. */
  likelyDuplicates(sketch: NewClientSketch): DuplicateCandidate[] {
    return likelyDuplicates(this.#db, sketch)
  }

  get(id: string): Client | undefined {
    const r = this.#statements.of("SELECT * FROM clients WHERE id = ?").get(id) as Row | undefined
    return r ? clientOfRow(r) : undefined
  }
}
