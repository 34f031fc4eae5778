import type Database from "better-sqlite3"
import { fold } from "./ReadModelQueries.js"

/**
 * Brings a read model of an older version (1-3) to the current one, inside the caller's
 * transaction; `reindexAll` rebuilds the search index.
 */
export const migrateReadModel = (db: Database.Database, from: number, reindexAll: () => void): void => {
  if (from < 3) refold(db, reindexAll)
  if (from < 4) addDocKeys(db)
}

/**
 * Version 1 keyed the search index by an unindexed id column, version 2 did not fold ё into е:
 * the folded names and the search index are rebuilt.
 */
const refold = (db: Database.Database, reindexAll: () => void): void => {
  const setClient = db.prepare("UPDATE clients SET name_lc = ? WHERE id = ?")
  for (const r of db.prepare("SELECT id, name FROM clients").all() as { id: string; name: string }[])
    setClient.run(fold(r.name), r.id)
  const setPrice = db.prepare("UPDATE price_items SET name_lc = ? WHERE id = ?")
  for (const r of db.prepare("SELECT id, code, name FROM price_items").all() as {
    id: string
    code: string
    name: string
  }[])
    setPrice.run(fold(`${r.code} ${r.name}`), r.id)
  reindexAll()
}

const DOC_KEYS = [
  ["appointments", "start"],
  ["invoices", "issued_at"],
] as const

/** Columns added since version 1 that an older file lacks (run before any statement is prepared). */
export const addMissingColumns = (db: Database.Database): void => {
  for (const [table] of DOC_KEYS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]
    if (!columns.some(c => c.name === "doc_key"))
      db.exec(`ALTER TABLE ${table} ADD COLUMN doc_key TEXT NOT NULL DEFAULT ''`)
  }
}

/**
 * Version 3 did not record which document held an appointment or an invoice: until then every
 * month partition was the record's month in UTC, so that is where each one is.
 */
const addDocKeys = (db: Database.Database): void => {
  for (const [table, column] of DOC_KEYS)
    db.exec(`UPDATE ${table} SET doc_key = '${table}/' || substr(${column}, 1, 7) WHERE doc_key = ''`)
}
