import type { Collection } from "@vetsync/shared"
import type { ConflictView } from "../api.js"
import type { Labeler } from "./lookup.js"

/** A field with concurrent values as the read model keeps it. */
export interface StoredConflict {
  collection: Collection
  id: string
  field: string
  kept: string
  others: string[]
}

/** The conflicts staff can resolve, in the order given, each with what staff see to find its record. */
export const conflictViews = (conflicts: readonly StoredConflict[], label: Labeler): ConflictView[] =>
  conflicts.map(c => ({ ...c, label: label(c.collection, c.id) }))
