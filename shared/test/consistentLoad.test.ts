import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as A from "@automerge/automerge"
import type { Chunk, StorageKey } from "@automerge/automerge-repo"
import { describe, expect, it } from "vitest"
import { ConsistentLoadStorage, SafeFsStorageAdapter } from "../src/index.js"

const ID = "4NMNnkMhL8jXrdJ9jamS58PAVdXu"
const hash = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex")

type Doc = { n: number[] }

/** Loads a document the way automerge-repo 2.5.6 does: snapshots, then incrementals, in two calls. */
const repoLoad = async (storage: { loadRange(k: StorageKey): Promise<Chunk[]> }): Promise<A.Doc<Doc>> => {
  const chunks = [...(await storage.loadRange([ID, "snapshot"])), ...(await storage.loadRange([ID, "incremental"]))]
  let doc = A.init<Doc>()
  for (const c of chunks) if (c.data) doc = A.loadIncremental(doc, c.data)
  return doc
}

/** A document with three changes: the first two saved as snapshot + incremental, all three then compacted. */
const setup = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-consistent-"))
  const fsStorage = new SafeFsStorageAdapter(dir, { fsync: false })
  let doc = A.from<Doc>({ n: [] })
  doc = A.change(doc, d => void d.n.push(1))
  const s1 = A.save(doc)
  doc = A.change(doc, d => void d.n.push(2))
  const i1 = A.saveSince(doc, A.getHeads(A.load(s1)))
  await fsStorage.save([ID, "snapshot", hash(s1)], s1)
  await fsStorage.save([ID, "incremental", hash(i1)], i1)
  /** what automerge-repo's compaction does: the new snapshot first, then the old chunks go */
  const compact = async (): Promise<void> => {
    const s2 = A.save(doc)
    await fsStorage.save([ID, "snapshot", hash(s2)], s2)
    await fsStorage.remove([ID, "snapshot", hash(s1)])
    await fsStorage.remove([ID, "incremental", hash(i1)])
  }
  return { dir, fsStorage, doc, compact }
}

describe("ConsistentLoadStorage", () => {
  it("gives a load that a compaction interrupts between its two calls every change (plain storage loses one)", async () => {
    for (const consistent of [false, true]) {
      const { fsStorage, doc, compact } = await setup()
      const storage = consistent ? new ConsistentLoadStorage(fsStorage, id => fsStorage.chunkNames(id)) : fsStorage
      const snapshots = await storage.loadRange([ID, "snapshot"])
      await compact()
      const incrementals = await storage.loadRange([ID, "incremental"])
      let loaded = A.init<Doc>()
      for (const c of [...snapshots, ...incrementals]) if (c.data) loaded = A.loadIncremental(loaded, c.data)
      if (consistent) expect(A.getHeads(loaded)).toEqual(A.getHeads(doc))
      else expect(loaded.n).toEqual([1]) // the race this storage exists for
    }
  })

  it("reads again when the chunk files change while it reads (a compaction in the middle of the first call)", async () => {
    const { fsStorage, doc, compact } = await setup()
    let compacted = false
    const racing = {
      ...fsStorage,
      load: (k: StorageKey) => fsStorage.load(k),
      save: (k: StorageKey, d: Uint8Array) => fsStorage.save(k, d),
      remove: (k: StorageKey) => fsStorage.remove(k),
      removeRange: (k: StorageKey) => fsStorage.removeRange(k),
      loadRange: async (k: StorageKey): Promise<Chunk[]> => {
        if (k[1] === "incremental" && !compacted) {
          compacted = true
          await compact()
        }
        return fsStorage.loadRange(k)
      },
    }
    const storage = new ConsistentLoadStorage(racing, id => fsStorage.chunkNames(id))
    const loaded = await repoLoad(storage)
    expect(compacted).toBe(true)
    expect(A.getHeads(loaded)).toEqual(A.getHeads(doc))
    expect(loaded.n).toEqual([1, 2])
  })

  it("returns incrementals saved between the two calls, and nothing twice", async () => {
    const { fsStorage, doc } = await setup()
    const storage = new ConsistentLoadStorage(fsStorage, id => fsStorage.chunkNames(id))
    const first = await storage.loadRange([ID, "snapshot"])
    const later = A.change(doc, d => void d.n.push(3))
    const i2 = A.saveSince(later, A.getHeads(doc))
    await fsStorage.save([ID, "incremental", hash(i2)], i2)
    const second = await storage.loadRange([ID, "incremental"])
    // each chunk keeps its kind: the snapshot call returns the snapshot, the incremental call the incrementals of the same read and the new one
    expect(first.map(c => c.key[1])).toEqual(["snapshot"])
    expect(second.map(c => c.key[1])).toEqual(["incremental", "incremental"])
    expect(second.map(c => c.key[2])).toContain(hash(i2))
    let loaded = A.init<Doc>()
    for (const c of [...first, ...second]) if (c.data) loaded = A.loadIncremental(loaded, c.data)
    expect(loaded.n).toEqual([1, 2, 3])
  })

  it("passes every other call through, and a document with no chunks loads as nothing", async () => {
    const { fsStorage } = await setup()
    const storage = new ConsistentLoadStorage(fsStorage, id => fsStorage.chunkNames(id))
    expect(await storage.loadRange(["7XAnUvWhQeGpbQkbvbh6vc5SNTfX", "snapshot"])).toEqual([])
    expect(await storage.loadRange(["7XAnUvWhQeGpbQkbvbh6vc5SNTfX", "incremental"])).toEqual([])
    expect((await storage.loadRange([ID])).length).toBe(2)
    await storage.removeRange([ID])
    expect(fsStorage.hasDocument(ID)).toBe(false)
  })
})
