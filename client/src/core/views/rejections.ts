import type { Collection } from "@vetsync/shared"
import type { RejectionView } from "../api.js"
import { recordUpdatedAt } from "./labels.js"
import type { Labeler, ReasonOf, RecordLookup } from "./lookup.js"

/** A rejection as the rejections document holds it (the read model's rows). */
export interface StoredRejection {
  /** "<collection>/<id>" */
  key: string
  reason: string
  at: string
  /** the record's updatedAt when it was refused: a later edit supersedes the rejection */
  recordUpdatedAt: string
}

/**
 * The rejections staff still have to deal with, in the order given (the read model's: newest
 * first): a rejection is superseded once the record was edited after it (the edit goes to the
 * server again). A record this desk does not have keeps its rejection.
 */
export const rejectionViews = (
  rejections: readonly StoredRejection[],
  lookup: RecordLookup,
  label: Labeler,
): RejectionView[] =>
  rejections.flatMap(r => {
    const slash = r.key.indexOf("/")
    const collection = r.key.slice(0, slash) as Collection
    const id = r.key.slice(slash + 1)
    const updatedAt = recordUpdatedAt(lookup, collection, id)
    if (updatedAt !== undefined && updatedAt > r.recordUpdatedAt) return []
    return [{ collection, id, reason: r.reason, at: r.at, label: label(collection, id) }]
  })

/** The reason of each record's rejection, for views that show it beside the record (ReasonOf). */
export const rejectionReasons = (rejections: readonly StoredRejection[]): ReasonOf => {
  const byKey = new Map<string, StoredRejection>()
  // the first of a key, as a search of the list would find it
  for (const r of rejections) if (!byKey.has(r.key)) byKey.set(r.key, r)
  return (key, updatedAt) => {
    const r = byKey.get(key)
    return r && !(updatedAt > r.recordUpdatedAt) ? r.reason : null
  }
}
