import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Repo, type DocumentId } from "@automerge/automerge-repo"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { IdleUnloader } from "../src/IdleUnloader.js"

type Doc = { n: number; note?: string }

/**
 * IdleUnloader's bound on loaded documents (maxLoaded, VETSYNC_MAX_LOADED_DOCS): past it, the least
 * recently touched documents untouched for minIdleMs are unloaded, whatever idleMs says; one touched
 * more recently stays, even over the bound; and nothing is lost: an unloaded document, changed just
 * before, loads again with its change. The clock is the test's.
 */
describe("IdleUnloader: at most maxLoaded documents stay loaded", () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  const setup = async (count: number, maxLoaded: number) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-bound-"))
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
    const writer = new Repo({ storage: new SafeFsStorageAdapter(dir, { fsync: false }), network: [] })
    const ids: DocumentId[] = []
    for (let n = 0; n < count; n++) ids.push(writer.create<Doc>({ n }).documentId)
    await writer.flush()
    await writer.shutdown()
    const repo = new Repo({ storage: new SafeFsStorageAdapter(dir, { fsync: false }), network: [] })
    let clock = 1_000_000
    // idle for an hour: only the bound unloads here
    const unloader = new IdleUnloader({ repo, idleMs: 3_600_000, maxLoaded, minIdleMs: 100, now: () => clock })
    cleanup.push(async () => {
      await unloader.close()
      await repo.shutdown()
    })
    return { repo, unloader, ids, tick: (ms: number) => void (clock += ms) }
  }

  const loaded = (repo: Repo): DocumentId[] =>
    Object.values(repo.handles)
      .filter(h => h.isReady())
      .map(h => h.documentId)
      .sort()

  it("keeps the most recently touched, unloads the rest, and never one touched within minIdleMs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        // which document each step uses, and how long after the previous step
        fc.array(fc.record({ doc: fc.nat({ max: 6 }), after: fc.constantFrom(10, 60, 150, 400) }), { minLength: 1, maxLength: 14 }),
        async (max, steps) => {
          const { repo, unloader, ids, tick } = await setup(7, max)
          const last = new Map<DocumentId, number>()
          let t = 0
          for (const s of steps) {
            tick(s.after)
            t += s.after
            const id = ids[s.doc]!
            unloader.touch(id)
            last.set(id, t)
            expect((await repo.find<Doc>(id)).doc().n).toBe(s.doc)
            await unloader.sweep()
            const now = loaded(repo)
            const recent = [...last].filter(([, at]) => t - at < 100).map(([id]) => id)
            // every document touched within minIdleMs is loaded; past the bound only those are
            for (const id of recent) expect(now).toContain(id)
            expect(now.length).toBeLessThanOrEqual(Math.max(max, recent.length))
            // and those kept are the most recently touched
            const byRecency = [...last].filter(([id]) => now.includes(id) || !recent.includes(id)).sort((a, b) => b[1] - a[1])
            const kept = byRecency.slice(0, Math.max(max, recent.length)).map(([id]) => id)
            for (const id of now) expect(kept).toContain(id)
          }
        },
      ),
      { numRuns: 12 },
    )
  })

  it("an unloaded document loads again with the change made just before (written first)", async () => {
    const { repo, unloader, ids, tick } = await setup(3, 1)
    const first = await repo.find<Doc>(ids[0]!)
    unloader.touch(ids[0]!)
    first.change(d => void (d.note = "written before the unload"))
    tick(500)
    unloader.touch(ids[1]!)
    await repo.find<Doc>(ids[1]!)
    await unloader.sweep()
    expect(loaded(repo)).toEqual([ids[1]!])
    expect(unloader.unloaded).toBe(1)
    const again = await repo.find<Doc>(ids[0]!)
    expect(again.doc().note).toBe("written before the unload")
  })
})
