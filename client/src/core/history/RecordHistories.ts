import * as A from "@automerge/automerge"
import type { AnyClinicDoc, Collection, DocKey } from "@vetsync/shared"
import type { ChangeBy, HistoryEntry } from "../api.js"
import { ChangeIndex } from "./ChangeIndex.js"
import { changeBy, recordHistory, valueText } from "./recordHistory.js"

/** Reads an open document (the desk's DocStore.use, pinning it while `fn` runs). */
export type UseDoc = <R>(key: DocKey, fn: (doc: AnyClinicDoc) => R) => Promise<R>

/** How many documents' change indexes stay in memory (a shard's is a few MB at the seeds' scale). */
const KEEP = 8

/** Who wrote each concurrent value of a field: by value, as A.getConflicts names them. */
export interface ValueAuthors {
  /** the value as text → who wrote it */
  byValue: Map<string, ChangeBy>
}

/**
 * Records' histories and the authors of conflicting values, read from the documents' own change
 * history. Each document's ChangeIndex is built the first time one of its records is asked about
 * and then only takes the document's new changes; the last KEEP documents' indexes are kept.
 */
export class RecordHistories {
  readonly #use: UseDoc
  readonly #staffName: (staffId: string) => string
  readonly #indexes = new Map<DocKey, ChangeIndex>()

  /** `staffName`: a staff member's name by id (views/staffNames.ts) */
  constructor(use: UseDoc, staffName: (staffId: string) => string = id => id) {
    this.#use = use
    this.#staffName = staffName
  }

  #index(key: DocKey): ChangeIndex {
    let index = this.#indexes.get(key)
    if (index) this.#indexes.delete(key)
    else index = new ChangeIndex()
    this.#indexes.set(key, index)
    for (const old of this.#indexes.keys()) {
      if (this.#indexes.size <= KEEP) break
      this.#indexes.delete(old)
    }
    return index
  }

  /** The record's changes, newest first. */
  async history(key: DocKey, collection: Collection, id: string): Promise<HistoryEntry[]> {
    return this.#use(key, doc => recordHistory(doc, this.#index(key), collection, id, this.#staffName))
  }

  /** Who wrote each of the field's concurrent values (empty when the field has none now). */
  async valueAuthors(key: DocKey, collection: Collection, id: string, field: string): Promise<ValueAuthors> {
    return this.#use(key, doc => {
      const byValue = new Map<string, ChangeBy>()
      const rec = (doc as unknown as Record<string, Record<string, unknown> | undefined>)[collection]?.[id]
      if (!rec || typeof rec !== "object") return { byValue }
      const conflicts = A.getConflicts(rec as A.Doc<Record<string, unknown>>, field)
      if (!conflicts) return { byValue }
      const index = this.#index(key)
      index.update<AnyClinicDoc>(doc)
      for (const [opId, value] of Object.entries(conflicts)) {
        const meta = index.changeOfOp(opId)
        if (meta) byValue.set(valueText(value), changeBy(meta, this.#staffName))
      }
      return { byValue }
    })
  }
}
