import type { DocumentId } from "@automerge/automerge-repo"
import { docIdFor, genesisBinary, monthKeysAround, type ClinicLayout, type DocKey } from "@vetsync/shared"

/**
 * The genesis of each of a clinic's documents: the deterministic first change every copy starts
 * from (the same on every desk), so a desk can write to any partition offline and still converge
 * with the relay's copy. Each is built once and kept; month partitions outside the layout are
 * found by id from ten years back to two years ahead, hashed on the first miss, not at every start.
 */
export class ClinicGenesis {
  readonly #clinicId: string
  readonly #layout: ClinicLayout
  readonly #bytes = new Map<DocKey, Uint8Array>()
  #months: Map<string, DocKey> | undefined

  constructor(clinicId: string, layout: ClinicLayout) {
    this.#clinicId = clinicId
    this.#layout = layout
  }

  of(key: DocKey): Uint8Array {
    let bytes = this.#bytes.get(key)
    if (!bytes) this.#bytes.set(key, (bytes = genesisBinary(this.#clinicId, key)))
    return bytes
  }

  /** The genesis of a document id of the clinic, undefined for an id that is none of its documents. */
  ofId(id: string): Uint8Array | undefined {
    const key = this.keyOf(id)
    return key ? this.of(key) : undefined
  }

  /** The key of a document id of the clinic (its layout, or a month partition in the range above); undefined for any other id. */
  keyOf(id: string): DocKey | undefined {
    return this.#layout.keyOf(id as DocumentId) ?? this.#monthKeys().get(id)
  }

  /** The month partitions' documents from ten years back to two years ahead, by document id. */
  #monthKeys(): Map<string, DocKey> {
    return (this.#months ??= new Map(
      monthKeysAround(new Date(), 10, 2).map(key => [docIdFor(this.#clinicId, key), key]),
    ))
  }
}
