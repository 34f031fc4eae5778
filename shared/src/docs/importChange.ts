import * as A from "@automerge/automerge"
import { genesisDoc } from "./genesis.js"
import type { DocKey } from "./layout.js"
import type { AnyClinicDoc } from "./types.js"

type Backend = ReturnType<typeof A.getBackend>

/**
 * One document's import: its genesis, then one change by `actor` putting every record into the
 * document's map of them. The records go straight into the document's backend (the call
 * `d.clients[id] = record` makes inside A.change), and the bytes are saved without A.change's
 * patches: updating the JS view of a document with thousands of new objects cost most of an
 * import's time (233.6 s at seed scale). Same operations, same change, same document.
 */
export class ImportChange {
  readonly #doc: A.Doc<AnyClinicDoc>
  readonly #backend: Backend

  constructor(clinicId: string, key: DocKey, actor: string) {
    this.#doc = A.clone(genesisDoc(clinicId, key), { actor })
    this.#backend = A.getBackend(this.#doc)
  }

  /** Puts each record under its id into the top-level map `container` (clients, patients ...). */
  putAll(container: string, entries: Iterable<[string, Record<string, unknown>]>): void {
    const obj = this.objectId(container)
    for (const [id, value] of entries) this.#backend.putObjectFromHydrate(obj, id, value)
  }

  put(obj: string, key: string, value: string | boolean): void {
    if (typeof value === "string") this.#backend.put(obj, key, value, "str")
    else this.#backend.put(obj, key, value, "boolean")
  }

  objectId(container: string): string {
    const obj = A.getObjectId(this.#doc, container)
    if (obj === null) throw new Error(`the genesis has no ${container}`)
    return obj
  }

  /**
   * Commits the change (A.change's message and time), returns the document's bytes and frees the
   * document's wasm memory at once: left to the garbage collector, the built documents piled up
   * in the wasm heap, which then grew into fresh memory (slow to touch on our VMs: 8-25 ms a
   * megabyte) or had to be reserved up front (reserveWasmMemory). Freed, the next document
   * reuses the same memory. The change is unusable afterwards.
   */
  saveAndFree(message: string | null): Uint8Array {
    try {
      this.#backend.commit(message, Math.floor(Date.now() / 1000))
      return this.#backend.save()
    } finally {
      this.#backend.free()
    }
  }
}
