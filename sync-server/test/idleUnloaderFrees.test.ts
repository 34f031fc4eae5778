import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Repo, type DocumentId } from "@automerge/automerge-repo"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { IdleUnloader } from "../src/IdleUnloader.js"

// the collector, callable from a test (node's --expose-gc, set for this isolate from now on)
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

type Doc = { items: Record<string, { name: string }> }

/**
 * automerge-repo 2.5.6 raced every load against one module-wide promise that never settles
 * (`Promise.race([load, foreverPromise])` in Repo's #loadDocumentWithProgress): each race left a
 * reaction on that promise, and with it the loaded document, for the life of the process. The
 * relay, which loads a document when a peer asks and unloads it when idle, kept every document it
 * had ever loaded in its JS heap (`npm run bench -- relay`: 956 MB of heap after a collection with
 * no document loaded). patches/@automerge+automerge-repo+2.5.6.patch races a fresh never-settling
 * promise per load instead; without it these tests fail (the documents are never collected).
 */
describe("IdleUnloader: a document the relay unloads is collected", () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  const storedDocs = async (count: number): Promise<{ dir: string; ids: DocumentId[] }> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-unload-"))
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
    const writer = new Repo({ storage: new SafeFsStorageAdapter(dir, { fsync: false }), network: [] })
    const ids: DocumentId[] = []
    for (let n = 0; n < count; n++) {
      const items: Doc["items"] = {}
      for (let i = 0; i < 200; i++) items[`k${i}`] = { name: `item ${n}.${i}` }
      ids.push(writer.create<Doc>({ items }).documentId)
    }
    await writer.flush()
    await writer.shutdown()
    return { dir, ids }
  }

  /** a Repo on dir whose documents idle for 150 ms are unloaded, and a record of which loaded documents were collected */
  const relayRepo = (dir: string): { repo: Repo; unloader: IdleUnloader; watch: (id: DocumentId, doc: object) => void; collected: Set<DocumentId> } => {
    const repo = new Repo({ storage: new SafeFsStorageAdapter(dir, { fsync: false }), network: [] })
    const unloader = new IdleUnloader({ repo, idleMs: 150, sweepMs: 50 })
    unloader.start()
    cleanup.push(async () => {
      await unloader.close()
      await repo.shutdown()
    })
    const collected = new Set<DocumentId>()
    // a FinalizationRegistry, not WeakRefs: a WeakRef keeps its target alive until its job ends
    const registry = new FinalizationRegistry<DocumentId>(id => collected.add(id))
    return { repo, unloader, watch: (id, doc) => registry.register(doc, id), collected }
  }

  /** finds each document (as a peer's request does) and checks it loaded whole; holds no reference to it */
  const loadAll = async (repo: Repo, ids: readonly DocumentId[], watch: (id: DocumentId, doc: object) => void, signal?: AbortSignal): Promise<void> => {
    for (const id of ids) {
      const handle = await repo.find<Doc>(id, signal ? { signal } : {})
      expect(Object.keys(handle.doc().items)).toHaveLength(200)
      watch(id, handle.doc())
    }
  }

  const collectedAll = (collected: Set<DocumentId>, ids: readonly DocumentId[]): boolean => {
    gc()
    return ids.every(id => collected.has(id))
  }

  it("found, idle, unloaded: nothing keeps the loaded document", async () => {
    const { dir, ids } = await storedDocs(3)
    const { repo, unloader, watch, collected } = relayRepo(dir)
    await loadAll(repo, ids, watch)
    await eventually("the idle documents to be unloaded", () => unloader.unloaded === ids.length, 10_000)
    expect(Object.keys(repo.handles)).toEqual([])
    await eventually("the unloaded documents to be collected", () => collectedAll(collected, ids), 10_000, {
      describe: () => `collected ${collected.size} of ${ids.length}`,
    })
  })

  it("the same for a find with an abort signal, and an unloaded document found again loads whole", async () => {
    const { dir, ids } = await storedDocs(2)
    const { repo, unloader, watch, collected } = relayRepo(dir)
    await loadAll(repo, ids, watch, new AbortController().signal)
    await eventually("the idle documents to be unloaded", () => unloader.unloaded === ids.length, 10_000)
    await eventually("the unloaded documents to be collected", () => collectedAll(collected, ids), 10_000, {
      describe: () => `collected ${collected.size} of ${ids.length}`,
    })
    const again = await repo.find<Doc>(ids[0]!)
    expect(again.doc().items.k7?.name).toBe("item 0.7")
    expect(Object.keys(again.doc().items)).toHaveLength(200)
  })
})
