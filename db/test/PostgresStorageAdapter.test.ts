import { Repo, type AutomergeUrl, type StorageKey } from "@automerge/automerge-repo"
import { runStorageAdapterTests } from "@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js"
import { ClosableStorageAdapter } from "@vetsync/shared/storage"
import fc from "fast-check"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { PostgresStorageAdapter, joinStorageKey, likePrefix } from "../src/PostgresStorageAdapter.js"
import { useTestDatabase } from "../src/testing.js"

const db = useTestDatabase()

const truncate = async (): Promise<void> => {
  await db.pool.query("TRUNCATE automerge_chunks")
}

describe("PostgresStorageAdapter", () => {
  // automerge-repo's own acceptance suite, on a real PostgreSQL (each test on an emptied table)
  runStorageAdapterTests(async () => {
    await truncate()
    return { adapter: new PostgresStorageAdapter(db.pool), teardown: truncate }
  }, "PostgresStorageAdapter")
})

/** Key parts an honest caller uses, including the characters LIKE would take as wildcards. */
const part = fc.constantFrom("a", "b", "ab", "a_b", "axb", "a%", "a%b", "%", "_", "\\", "a\\b", "x-y.z")
const key = fc.array(part, { minLength: 1, maxLength: 3 })
const prefix = fc.array(part, { minLength: 0, maxLength: 2 })
type Op =
  | { op: "save"; key: StorageKey; byte: number }
  | { op: "remove"; key: StorageKey }
  | { op: "removeRange"; prefix: StorageKey }
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("save" as const), key, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant("remove" as const), key }),
  fc.record({ op: fc.constant("removeRange" as const), prefix }),
)
const under = (k: StorageKey, p: StorageKey): boolean => p.every((x, i) => k[i] === x) && k.length >= p.length

describe("PostgresStorageAdapter's key ranges", () => {
  it("match whole key parts, with %, _ and \\ taken literally: the same answers as a map in memory", async () => {
    const adapter = new PostgresStorageAdapter(db.pool)
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 25 }),
        fc.array(prefix, { minLength: 1, maxLength: 4 }),
        async (ops, probes) => {
          await truncate()
          const model = new Map<string, { key: StorageKey; byte: number }>()
          for (const o of ops) {
            if (o.op === "save") {
              await adapter.save(o.key, new Uint8Array([o.byte, 7]))
              model.set(o.key.join("\u0000"), { key: o.key, byte: o.byte })
            } else if (o.op === "remove") {
              await adapter.remove(o.key)
              model.delete(o.key.join("\u0000"))
            } else {
              await adapter.removeRange(o.prefix)
              for (const [k, v] of model) if (under(v.key, o.prefix)) model.delete(k)
            }
          }
          for (const p of probes) {
            const got = (await adapter.loadRange(p))
              .map(c => `${c.key.join("\u0000")}=${c.data?.join(",") ?? "none"}`)
              .sort()
            const want = [...model.values()]
              .filter(v => under(v.key, p))
              .map(v => `${v.key.join("\u0000")}=${v.byte},7`)
              .sort()
            expect(got).toEqual(want)
          }
          for (const v of model.values()) expect(await adapter.load(v.key)).toEqual(new Uint8Array([v.byte, 7]))
        },
      ),
      { numRuns: 40 },
    )
  })

  it("refuses a key part that is empty or holds '/', and accepts every honest one", () => {
    fc.assert(
      fc.property(key, k => {
        expect(joinStorageKey(k).split("/")).toEqual(k)
        expect(likePrefix(joinStorageKey(k)).endsWith("/%")).toBe(true)
      }),
    )
    for (const bad of [[""], ["a", ""], ["a/b"], ["/"]])
      expect(() => joinStorageKey(bad)).toThrow(/invalid storage key part/)
  })
})

describe("two relays' adapters on the same table", () => {
  it("write at once, interleaved, into the same and different documents, and each reads everything of both", async () => {
    await truncate()
    const pools = [new pg.Pool({ connectionString: db.url, max: 4 }), new pg.Pool({ connectionString: db.url, max: 4 })]
    for (const p of pools) p.on("error", () => undefined)
    try {
      const [a, b] = pools.map(p => new PostgresStorageAdapter(p)) as [PostgresStorageAdapter, PostgresStorageAdapter]
      const chunk = (who: number, i: number): Uint8Array => new Uint8Array(1000).fill((who * 100 + i) % 256)
      const keyOf = (who: number, i: number): StorageKey => [`doc${i % 5}`, "incremental", `r${who}-${i}`]
      const shared: StorageKey = ["docS", "snapshot", "same-hash"]
      await Promise.all([
        ...Array.from({ length: 60 }, (_, i) => a.save(keyOf(1, i), chunk(1, i))),
        ...Array.from({ length: 60 }, (_, i) => b.save(keyOf(2, i), chunk(2, i))),
        // the same content-addressed chunk saved by both at once
        ...Array.from({ length: 10 }, () => a.save(shared, new Uint8Array([9, 9]))),
        ...Array.from({ length: 10 }, () => b.save(shared, new Uint8Array([9, 9]))),
      ])
      for (const reader of [a, b]) {
        for (let i = 0; i < 60; i++) {
          expect(await reader.load(keyOf(1, i))).toEqual(chunk(1, i))
          expect(await reader.load(keyOf(2, i))).toEqual(chunk(2, i))
        }
        expect(await reader.load(shared)).toEqual(new Uint8Array([9, 9]))
        expect(await reader.loadRange(["doc0"])).toHaveLength(24)
      }
      // one relay compacts doc0 while the other writes doc1: doc1 keeps everything
      await Promise.all([
        a.removeRange(["doc0", "incremental"]),
        b.save(["doc1", "incremental", "late"], new Uint8Array([1])),
      ])
      expect(await b.loadRange(["doc0"])).toEqual([])
      expect(await a.loadRange(["doc1"])).toHaveLength(25)
      expect((await a.keys()).length).toBe(4 * 24 + 1 + 1)
    } finally {
      await Promise.all(pools.map(p => p.end()))
    }
  })
})

describe("a repo on PostgreSQL", () => {
  // Each repo's adapter is closed after its shutdown: automerge-repo 2.5.6 saves from throttled
  // timers that can fire after shutdown(), and a save reaching an ended pool would reject unhandled.
  it("keeps every change of a document through saves and compactions, for a repo opened later on another pool", async () => {
    await truncate()
    const firstStorage = new ClosableStorageAdapter(new PostgresStorageAdapter(db.pool))
    const first = new Repo({ storage: firstStorage, network: [] })
    const handle = first.create<{ n: number[]; text: string }>({ n: [], text: "" })
    for (let i = 0; i < 200; i++) handle.change(d => void d.n.push(i))
    handle.change(d => void (d.text = "x".repeat(5000)))
    await first.flush()
    await first.shutdown()
    await firstStorage.close()
    const url: AutomergeUrl = handle.url
    const pool = new pg.Pool({ connectionString: db.url, max: 2 })
    pool.on("error", () => undefined)
    const secondStorage = new ClosableStorageAdapter(new PostgresStorageAdapter(pool))
    try {
      const second = new Repo({ storage: secondStorage, network: [] })
      const again = await second.find<{ n: number[]; text: string }>(url)
      expect(again.doc().n).toEqual(Array.from({ length: 200 }, (_, i) => i))
      expect(again.doc().text).toHaveLength(5000)
      await second.shutdown()
    } finally {
      await secondStorage.close()
      await pool.end()
    }
  })
})
