import type Database from "better-sqlite3"

/**
 * The read model connection's statements, each prepared the first time its SQL is asked for and
 * reused after: the prepared-statement source the query families share. The SQL of a family is a
 * constant or one of a few shapes (a WHERE clause with one LIKE per typed word), so the cache stays
 * small. A statement is returned in its default mode (rows as objects); a caller that wants
 * `pluck` or `raw` prepares its own.
 */
export class Statements {
  readonly #db: Database.Database
  readonly #cache = new Map<string, Database.Statement>()

  constructor(db: Database.Database) {
    this.#db = db
  }

  /** The statement of `sql`, prepared on first use. */
  of(sql: string): Database.Statement {
    let statement = this.#cache.get(sql)
    if (!statement) {
      statement = this.#db.prepare(sql)
      this.#cache.set(sql, statement)
    }
    return statement
  }
}
