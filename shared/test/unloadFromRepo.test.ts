import { Repo, type DocumentId, type StorageAdapterInterface, type StorageKey, type Chunk } from "@automerge/automerge-repo"
import fc from "fast-check"
import { afterEach, describe, expect, it, vi } from "vitest"
import { unloadFromRepo } from "../src/storage/unloadFromRepo.js"

/** Storage in memory that records every write and removal, by document. */
class RecordingStorage implements StorageAdapterInterface {
  readonly data = new Map<string, Uint8Array>()
  readonly writes: string[] = []
  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.data.get(key.join("/")))
  }
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.writes.push(`save ${key.join("/")}`)
    this.data.set(key.join("/"), data)
    return Promise.resolve()
  }
  remove(key: StorageKey): Promise<void> {
    this.writes.push(`remove ${key.join("/")}`)
    this.data.delete(key.join("/"))
    return Promise.resolve()
  }
  loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const p = prefix.join("/")
    return Promise.resolve([...this.data].filter(([k]) => k.startsWith(p)).map(([k, data]) => ({ key: k.split("/"), data })))
  }
  removeRange(prefix: StorageKey): Promise<void> {
    const p = prefix.join("/")
    for (const k of [...this.data.keys()]) if (k.startsWith(p)) void this.remove(k.split("/"))
    return Promise.resolve()
  }
  /** the stored chunks of one document */
  chunksOf(id: DocumentId): string[] {
    return [...this.data.keys()].filter(k => k.startsWith(`${id}/`) && !k.includes("/sync-state/")).sort()
  }
}

type Doc = { items: Record<string, string> }

/**
 * A document dropped from a Repo's memory keeps what storage holds (unloadFromRepo), for small
 * documents above all: automerge-repo 2.5.6's removeFromCache saved the emptied document 100 ms
 * later, and for a document under 1 kB that save is a compaction that deleted its chunks
 * (automerge-repo issue #435). Timers are faked so that the Repo's throttled save runs when the
 * test says, and the storage records whether it wrote anything.
 */
describe("unloadFromRepo", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A Repo on recording storage holding one document with `n` items, written; the writes so far forgotten. */
  const stored = async (n: number) => {
    const storage = new RecordingStorage()
    const repo = new Repo({ storage, network: [] })
    const items: Doc["items"] = {}
    for (let i = 0; i < n; i++) items[`k${i}`] = `item ${i}`
    const id = repo.create<Doc>({ items }).documentId
    await repo.flush([id])
    storage.writes.length = 0
    return { storage, repo, id, chunks: storage.chunksOf(id) }
  }

  it("writes nothing of the unload: the document loads again whole, small or large", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 120 }), async n => {
        const { storage, repo, id, chunks } = await stored(n)
        vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] })
        await unloadFromRepo(repo, id)
        // the Repo's throttled save would have run by now
        await vi.advanceTimersByTimeAsync(1_000)
        vi.useRealTimers()
        expect(storage.writes).toEqual([])
        expect(storage.chunksOf(id)).toEqual(chunks)
        expect(Object.keys((await repo.find<Doc>(id)).doc().items)).toHaveLength(n)
        await repo.shutdown()
      }),
      { numRuns: 8 },
    )
  })

  it("is needed: removeFromCache alone saves the emptied small document over its chunks (automerge-repo 2.5.6)", async () => {
    const { storage, repo, id, chunks } = await stored(3)
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] })
    // the call this module replaces
    // eslint-disable-next-line no-restricted-properties
    await repo.removeFromCache(id)
    await vi.advanceTimersByTimeAsync(1_000)
    vi.useRealTimers()
    // an empty snapshot written, the document's own chunks removed: when this fails, the upgrade
    // fixed automerge-repo#435 and unloadFromRepo's workaround may go
    expect(storage.writes.some(w => w.startsWith(`save ${id}/snapshot/`))).toBe(true)
    for (const c of chunks) expect(storage.writes).toContain(`remove ${c}`)
    expect(Object.keys((await repo.find<Doc>(id)).doc().items ?? {})).toHaveLength(0)
    await repo.shutdown()
  })
})
