import type Database from "better-sqlite3"
import { phoneKey } from "@vetsync/shared"
import { fold, nameKey } from "./searchText.js"

/**
 * Brings a read model of an older version (1-4) to the current one (5), inside the caller's
 * transaction; `reindexAll` rebuilds the search index. (Version 4 was two different things on two
 * branches, phone keys and document keys; version 5 has both, and both steps are idempotent.)
 */
export const migrateReadModel = (db: Database.Database, from: number, reindexAll: () => void): void => {
  if (from < 5) rekey(db, reindexAll)
  if (from < 5) addDocKeys(db)
  if (from < 6) addInvoiceStates(db)
}

/**
 * Version 5 kept no payments: an invoice was issued, paid or void, which is its state (an old
 * "paid" without payment records counts as paid in full). A later change re-reads it whole.
 */
const addInvoiceStates = (db: Database.Database): void => {
  db.exec("UPDATE invoices SET state = status WHERE state = ''")
}

/**
 * Version 1 keyed the search index by an unindexed id column, version 2 did not fold ё into е,
 * version 3 kept phones as typed (staff typing "8 952 618 10 32" did not find "+7 952 618-10-32"):
 * the name and phone keys and the search index are rebuilt from the records. The documents keep
 * what they hold; only the read model's keys are new.
 */
const rekey = (db: Database.Database, reindexAll: () => void): void => {
  const setClient = db.prepare("UPDATE clients SET name_lc = ?, phone_key = ? WHERE id = ?")
  for (const r of db.prepare("SELECT id, name, phone FROM clients").all() as {
    id: string
    name: string
    phone: string
  }[])
    setClient.run(nameKey(r.name), phoneKey(r.phone), r.id)
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
  const clients = db.prepare("PRAGMA table_info(clients)").all() as { name: string }[]
  if (!clients.some(c => c.name === "phone_key"))
    db.exec("ALTER TABLE clients ADD COLUMN phone_key TEXT NOT NULL DEFAULT ''")
  // the price items' VAT rate (issue 12): items published before it have none
  const prices = db.prepare("PRAGMA table_info(price_items)").all() as { name: string }[]
  if (prices.length > 0 && !prices.some(c => c.name === "vat"))
    db.exec("ALTER TABLE price_items ADD COLUMN vat TEXT NOT NULL DEFAULT 'none'")
  const invoices = db.prepare("PRAGMA table_info(invoices)").all() as { name: string }[]
  for (const [column, definition] of [
    ["state", "TEXT NOT NULL DEFAULT ''"],
    ["payments", "TEXT NOT NULL DEFAULT '[]'"],
    ["voided", "TEXT NOT NULL DEFAULT '{}'"],
  ] as const)
    if (invoices.length > 0 && !invoices.some(c => c.name === column))
      db.exec(`ALTER TABLE invoices ADD COLUMN ${column} ${definition}`)
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
