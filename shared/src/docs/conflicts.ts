import * as A from "@automerge/automerge"
import type { Collection } from "../schema/records.js"
import { str } from "./convert.js"
import type { AnyClinicDoc } from "./types.js"

/** A field of one record that holds concurrent values: the value kept and the others. */
export interface FieldConflict {
  field: string
  kept: string
  others: string[]
}

/** Fields every concurrent edit touches; a concurrent value there is not worth showing staff. */
const NOT_CONFLICTS = new Set(["id", "updatedAt", "updatedBy", "createdAt", "createdBy", "lines", "total"])

/** Fields of one record that hold concurrent values, with the value kept and the others. */
export const conflictsOf = (doc: A.Doc<AnyClinicDoc>, collection: Collection, id: string): FieldConflict[] => {
  const map = (doc as unknown as Record<string, Record<string, Record<string, unknown>>>)[collection]
  const obj = map?.[id]
  if (!obj) return []
  const out: FieldConflict[] = []
  for (const field of Object.keys(obj)) {
    if (NOT_CONFLICTS.has(field)) continue
    const all = A.getConflicts(obj, field)
    if (!all) continue
    const values = Object.values(all).map(v => str(v))
    if (values.length < 2) continue
    const kept = str(obj[field])
    const others = [...new Set(values.filter(v => v !== kept))]
    if (others.length) out.push({ field, kept, others })
  }
  return out
}
