import { fieldToDoc, readRecord, recordToDoc, type AnyClinicDoc, type AnyRecord } from "@vetsync/shared"

const TIME_FIELDS = new Set(["createdAt", "updatedAt", "start", "end", "issuedAt", "paidAt"])

const equal = (field: string, a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (TIME_FIELDS.has(field) && typeof a === "string" && typeof b === "string" && a !== "" && b !== "")
    return Date.parse(a) === Date.parse(b)
  return false
}

/** Whether writing `incoming` over the document's copy would change anything. */
export const differs = (doc: AnyClinicDoc, { collection, record }: AnyRecord): boolean => {
  const current = readRecord(doc, collection, record.id)
  if (!current) return true
  if (Date.parse(current.record.updatedAt) > Date.parse(record.updatedAt)) return false
  const cur = current.record as unknown as Record<string, unknown>
  return Object.entries(record).some(([f, v]) => !equal(f, cur[f], v))
}

/**
 * Writes records that PostgreSQL owns the latest version of into a document, inside a
 * change callback. A new record is written whole; an existing one only in the fields
 * that differ, and not at all when the document's copy is newer (a desk edited it after
 * the row was written: the projector will bring that edit to the row). Returns how many
 * records changed.
 */
export const putRecords = (d: AnyClinicDoc, records: AnyRecord[]): number => {
  let n = 0
  for (const r of records) {
    if (!differs(d, r)) continue
    const map = (d as unknown as Record<string, Record<string, Record<string, unknown>>>)[r.collection]
    if (!map) continue
    const existing = map[r.record.id]
    n++
    if (!existing) {
      map[r.record.id] = recordToDoc({ ...r.record })
      continue
    }
    const cur = readRecord(d, r.collection, r.record.id)?.record as unknown as Record<string, unknown>
    for (const [f, v] of Object.entries(r.record)) if (!equal(f, cur[f], v)) existing[f] = fieldToDoc(f, v)
  }
  return n
}
