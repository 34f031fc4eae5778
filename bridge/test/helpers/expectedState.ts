import { readRecord, validators, type Collection, type Invoice } from "@vetsync/shared"
import type { Db } from "../../src/queries/Db.js"
import { itemRowsOf, rowOf } from "../../src/projection/rows.js"
import { COLUMNS } from "../../src/queries/records.js"
import type { AnyPlain, Built } from "./randomClinic.js"
import { keyOf } from "./records.js"
import type { TwoDesks } from "./TwoDesks.js"

/** An invoice's item rows as stored, in line order. */
const selectInvoiceItems = async (db: Db, invoiceIds: string[]): Promise<Record<string, unknown>[]> =>
  (
    await db.query<Record<string, unknown>>(
      `SELECT * FROM invoice_items WHERE invoice_id = ANY($1::uuid[]) ORDER BY invoice_id, line_no`,
      [invoiceIds],
    )
  ).rows

/** What PostgreSQL must hold for one record once every change has arrived. */
export interface Expected {
  collection: Collection
  record: AnyPlain
  /** valid on its own: the shared validators pass and every date exists */
  valid: boolean
  /** valid, and so is everything it references, transitively: it must be a row */
  lands: boolean
}

const dayExists = (d: string): boolean => new Date(`${d}T00:00:00.000Z`).toISOString().slice(0, 10) === d
const instantExists = (s: string): boolean => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s

export const validOnItsOwn = (collection: Collection, r: AnyPlain): boolean => {
  const check = (validators[collection] as (r: unknown) => { ok: boolean })(r)
  const x = r as unknown as Record<string, unknown>
  const instants = ["createdAt", "updatedAt", "start", "end", "issuedAt", "paidAt"]
    .map(f => x[f])
    .filter((v): v is string => typeof v === "string" && v !== "")
  const birth = typeof x.birthDate === "string" && x.birthDate !== "" ? [x.birthDate] : []
  return check.ok && instants.every(instantExists) && birth.every(dayExists)
}

/** Each record's final version (both desks merged) and whether it must land, be rejected or wait. */
export const expectedState = (desks: TwoDesks, built: Built[]): Expected[] => {
  const out = built.map(b => {
    const key = keyOf(b.collection, b.record)
    const found = readRecord(desks.merged(key), b.collection, b.record.id)
    if (!found) throw new Error(`${b.collection}/${b.record.id} is not in ${key}`)
    const record = found.record
    return { collection: b.collection, record, valid: validOnItsOwn(b.collection, record), lands: false }
  })
  const landed = new Set<string>()
  for (const collection of ["clients", "patients", "appointments", "invoices"] as const)
    for (const e of out.filter(x => x.collection === collection)) {
      const x = e.record as unknown as Record<string, string>
      const refs = [x.clientId, x.patientId].filter((v): v is string => v !== undefined && v !== "")
      e.lands = e.valid && refs.every(id => landed.has(id))
      if (e.lands) landed.add(e.record.id)
    }
  return out
}

const norm = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v)

/** Differences between the rows of a landed record and its final version; [] when equal. */
export const rowDifferences = async (db: Db, clinicId: string, e: Expected): Promise<string[]> => {
  const row = (await db.query(`SELECT * FROM ${e.collection} WHERE id = $1`, [e.record.id])).rows[0] as
    Record<string, unknown> | undefined
  const name = `${e.collection}/${e.record.id}`
  if (!row) return [`${name} is not in PostgreSQL`]
  const want = (rowOf[e.collection] as (c: string, r: unknown) => Record<string, unknown>)(clinicId, e.record)
  const columns = [...COLUMNS[e.collection], "created_at", "updated_at", "deleted_at", "created_by", "updated_by"]
  const out = columns
    .filter(c => norm(row[c]) !== want[c])
    .map(c => `${name}.${c}: ${String(norm(row[c]))} instead of ${String(want[c])}`)
  if (e.collection === "invoices") {
    const items = (await selectInvoiceItems(db, [e.record.id])).map(i =>
      Object.fromEntries(Object.keys(i).map(k => [k, norm(i[k])])),
    )
    const wantItems = itemRowsOf(e.record as Invoice)
    if (JSON.stringify(items) !== JSON.stringify(wantItems)) out.push(`${name} lines: ${JSON.stringify(items)}`)
  }
  return out
}
