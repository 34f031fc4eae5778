import * as A from "@automerge/automerge"
import { genesisDoc, readRecord, recordToDoc, type AnyClinicDoc, type DocKey, type RootDoc } from "@vetsync/shared"
import { keyOf } from "./records.js"
import type { AnyPlain, Named } from "./randomClinic.js"

type Fields = Record<string, Record<string, Record<string, unknown>>>

/**
 * Two desks writing one clinic's documents offline, with plain Automerge: each holds its own
 * copy of every document (starting from the shared genesis), and merges the other's copy of a
 * document only when told to (or when it edits a record it has not seen yet). The bridge later
 * receives every change of every document, in whatever order the test chooses.
 */
export class TwoDesks {
  readonly clinicId: string
  readonly #docs: Map<DocKey, A.Doc<AnyClinicDoc>>[] = [new Map(), new Map()]

  constructor(clinicId: string) {
    this.clinicId = clinicId
  }

  #doc(desk: number, key: DocKey): A.Doc<AnyClinicDoc> {
    const docs = this.#docs[desk]!
    let doc = docs.get(key)
    if (!doc) {
      doc = A.clone(genesisDoc<AnyClinicDoc>(this.clinicId, key), { actor: `${desk + 1}`.repeat(32) })
      docs.set(key, doc)
    }
    return doc
  }

  #change(desk: number, key: DocKey, fn: (d: Fields) => void): void {
    this.#docs[desk]!.set(
      key,
      A.change(this.#doc(desk, key), d => fn(d as unknown as Fields)),
    )
  }

  /** A new record, as a desk writes it (a month partition is listed in the desk's root first). */
  create(desk: number, collection: Named, record: AnyPlain): void {
    const key = keyOf(collection, record)
    if (!key.startsWith("clients/") && !(this.#doc(desk, "root") as RootDoc).partitions[key])
      this.#docs[desk]!.set(
        "root",
        A.change(this.#doc(desk, "root"), d => {
          ;(d as RootDoc).partitions[key] = true
        }),
      )
    this.#change(desk, key, d => {
      d[collection]![record.id] = recordToDoc({ ...record })
    })
  }

  /** Fields of a record set in place; a desk that has not seen the record merges it in first. */
  update(desk: number, collection: Named, record: AnyPlain, fields: Record<string, unknown>): void {
    const key = keyOf(collection, record)
    if (!readRecord(this.#doc(desk, key), collection, record.id)) this.sync(key)
    const patch = recordToDoc(fields)
    this.#change(desk, key, d => {
      const rec = d[collection]![record.id]!
      for (const [k, v] of Object.entries(patch)) rec[k] = v
    })
  }

  /** Both desks exchange one document. */
  sync(key: DocKey): void {
    const merged = this.merged(key)
    for (const desk of [0, 1]) this.#docs[desk]!.set(key, A.merge(this.#doc(desk, key), merged))
  }

  /** Every document either desk wrote (root included). */
  keys(): DocKey[] {
    return [...new Set([...this.#docs[0]!.keys(), ...this.#docs[1]!.keys()])].sort()
  }

  /** The document as it is once both desks' changes meet. */
  merged(key: DocKey): A.Doc<AnyClinicDoc> {
    return A.merge(A.clone(this.#doc(0, key)), this.#doc(1, key))
  }

  /** Every change of every document, as (document, change). */
  changes(): { key: DocKey; change: A.Change }[] {
    return this.keys().flatMap(key => A.getAllChanges(this.merged(key)).map(change => ({ key, change })))
  }
}
