import * as A from "@automerge/automerge"
import { Repo, encodeHeads, type AutomergeUrl } from "@automerge/automerge-repo"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { contentsOf, isLeanDoc } from "@vetsync/shared/docs"
import { testTmpDir } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { LeanHandles } from "../src/LeanHandles.js"

type Doc = { clients: Record<string, { name: string; visits: number }> }

const repos: Repo[] = []
afterEach(async () => {
  await Promise.all(repos.splice(0).map(r => r.shutdown()))
})

/** A document of `n` clients saved in `dir` by one repo, which is then shut down. */
const stored = async (dir: string, n: number): Promise<{ url: AutomergeUrl; doc: A.Doc<Doc> }> => {
  const writer = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] })
  const handle = writer.create<Doc>({ clients: {} })
  for (let i = 0; i < n; i++) handle.change(d => void (d.clients[`c${i}`] = { name: `Клиент ${i}`, visits: i }))
  await writer.flush()
  await writer.shutdown()
  return { url: handle.url, doc: handle.doc() }
}

describe("LeanHandles", () => {
  it("has the Repo load stored documents lean, before any frame or sweep, holding what was saved", async () => {
    const dir = testTmpDir("lean-handles")
    const { url, doc } = await stored(dir, 30)
    const repo = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] })
    repos.push(repo)
    // never started: no sweep; no frame noted either
    const lean = new LeanHandles({ repo })
    const handle = await repo.find<Doc>(url)
    expect(isLeanDoc(handle.doc())).toBe(true)
    expect(Object.keys(handle.doc())).toEqual([])
    expect(contentsOf(handle.doc())).toEqual(A.toJS(doc))
    expect([...handle.heads()]).toEqual([...encodeHeads(A.getHeads(doc))])
    expect(lean.leaned).toBe(0)
    // a change after the load is saved and loads again, lean, by a repo that never saw it
    handle.change(d => void (d.clients.c0!.visits += 10))
    await repo.flush()
    const again = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] })
    repos.push(again)
    new LeanHandles({ repo: again })
    const reloaded = await again.find<Doc>(url)
    expect(isLeanDoc(reloaded.doc())).toBe(true)
    expect(contentsOf(reloaded.doc()).clients.c0?.visits).toBe(10)
  })

  it("has a load compute no patches of the document until a change listener reads them (patches/: DocHandle)", async () => {
    const dir = testTmpDir("lean-handles-diff")
    const { url } = await stored(dir, 30)
    // every document's wasm backend shares one prototype: its diff counted for the test's length
    const proto = Object.getPrototypeOf(A.getBackend(A.init())) as { diff: (...a: unknown[]) => unknown }
    const diff = proto.diff
    let diffs = 0
    proto.diff = function (this: unknown, ...a: unknown[]) {
      diffs++
      return diff.apply(this, a)
    }
    try {
      const repo = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] })
      repos.push(repo)
      new LeanHandles({ repo })
      const handle = await repo.find<Doc>(url)
      // a load's patches list every value: none was computed, since nobody read them
      expect(diffs).toBe(0)
      const seen: unknown[] = []
      handle.on("change", e => seen.push(e.patches))
      handle.change(d => void (d.clients.c1!.visits = 99))
      expect(seen).toEqual([[{ action: "put", path: ["clients", "c1", "visits"], value: 99 }]])
      // a change of heads with no patches is told too (automerge-repo 2.5.6 told it to no one)
      handle.update(d => A.emptyChange(d))
      expect(seen.at(-1)).toEqual([])
    } finally {
      proto.diff = diff
    }
  })

  it("leaves a Repo without it loading documents as Automerge makes them", async () => {
    const dir = testTmpDir("lean-handles-off")
    const { url } = await stored(dir, 3)
    const repo = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] })
    repos.push(repo)
    const handle = await repo.find<Doc>(url)
    expect(isLeanDoc(handle.doc())).toBe(false)
    expect(handle.doc().clients.c2?.name).toBe("Клиент 2")
  })
})
