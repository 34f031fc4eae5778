import { readdirSync, readFileSync } from "node:fs"
import { getPriority } from "node:os"
import { gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import { encodeHeads } from "@automerge/automerge-repo"
import { buildClinicDocs, docIdFor, imm, type AnyClinicDoc, type ClientShardDoc, type DocKey } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { EntryMakerState } from "../src/entryThread.js"
import { EntryWorker } from "../src/EntryWorker.js"
import { exactBuffer, exactBytes } from "../src/exactBytes.js"
import { makeEntry, type SnapshotEntry } from "../src/SnapshotEntry.js"

const CLINIC = generateClinic({ seed: "entryworker", clients: 80, patients: 100, priceItems: 5, days: 2, appointmentsPerDay: 3 })
const DOCS = buildClinicDocs(CLINIC.clinicId, CLINIC, "5eed".repeat(8))
const KEYS = [...DOCS.keys()]
const SHARDS = KEYS.filter(k => k.startsWith("clients/") && Object.keys((DOCS.get(k) as ClientShardDoc).clients).length > 0)

/** the largest saved size of the shards the tests edit */
const SHARD_BYTES = Math.max(...SHARDS.slice(0, 4).map(k => A.save(DOCS.get(k)!).length))

const byId = <T extends { id: string }>(rs: readonly T[]): T[] => [...rs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

/** What a desk reads of an entry: its records line (records by id), the lines it adds, the document its save holds. */
const contents = (e: SnapshotEntry | undefined) => {
  if (!e) return undefined
  const line =
    e.recordsGz.length > 0
      ? (JSON.parse(gunzipSync(e.recordsGz).toString()) as Record<string, unknown> & {
          clients: { id: string }[]
          patients: { id: string }[]
          search?: { version: number; bodies: string[] }
        })
      : undefined
  // a document materialised by A.change lists keys it gained last, one loaded from a save in key
  // order: the line's records go by id here, each client with its search body (bodies[i] is clients[i]'s)
  const search = line?.search && {
    version: line.search.version,
    bodies: byId(line.clients.map((c, i) => ({ id: c.id, body: line.search!.bodies[i] }))),
  }
  const saved = A.load<AnyClinicDoc>(e.saved)
  return {
    key: e.key,
    docId: e.docId,
    heads: [...e.heads].sort(),
    chunks: e.chunks,
    records: e.records,
    line: line && { ...line, clients: byId(line.clients), patients: byId(line.patients), search },
    partitions: e.partitions,
    priceItems: e.priceItems,
    rejections: e.rejections,
    profile: e.profile,
    savedHeads: [...encodeHeads(A.getHeads(saved))].sort(),
    saved: A.toJS(saved),
  }
}

const headsOf = (doc: A.Doc<unknown>): string[] => [...encodeHeads(A.getHeads(doc))]

const edit = fc.record({ pick: fc.nat(), name: fc.string({ minLength: 1, maxLength: 12 }), add: fc.boolean() })

describe("the bytes handed between the relay's threads", () => {
  it("are the view's bytes alone, in a buffer of their own", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (all, a, b) => {
        const from = all.length === 0 ? 0 : a % all.length
        const to = from + (all.length === from ? 0 : b % (all.length - from + 1))
        const view = all.subarray(from, to)
        for (const x of [exactBytes(view), exactBuffer(view)]) {
          expect([...x]).toEqual([...view])
          expect(x.buffer.byteLength).toBe(view.byteLength)
        }
      }),
    )
  })
})

describe("a worker's documents kept loaded between updates", () => {
  it("give every update of interleaved documents the entry made from the document itself, whatever stays loaded", async () => {
    const step = fc.record({ shard: fc.constantFrom(...SHARDS.slice(0, 4)), edits: fc.array(edit, { minLength: 0, maxLength: 3 }), whole: fc.boolean() })
    await fc.assert(
      // a bound of no document, of about one, of about two, and of every one
      fc.asyncProperty(fc.constantFrom(0, SHARD_BYTES, 2 * SHARD_BYTES, 1 << 30), fc.array(step, { minLength: 1, maxLength: 12 }), async (keepBytes, steps) => {
        const state = new EntryMakerState(keepBytes)
        /** each document as the relay holds it, and the entry the snapshot has of it */
        const live = new Map<string, { doc: A.Doc<ClientShardDoc>; entry: SnapshotEntry | undefined }>()
        try {
          for (const [n, st] of steps.entries()) {
            const docId = docIdFor(CLINIC.clinicId, st.shard)
            const cur = live.get(docId) ?? { doc: A.clone(DOCS.get(st.shard) as A.Doc<ClientShardDoc>), entry: undefined }
            for (const [i, e] of st.edits.entries()) {
              const ids = Object.keys(cur.doc.clients)
              const target = ids[e.pick % ids.length]!
              // another desk's concurrent edit of the same name, merged: the entry lists the conflict
              const other = e.add ? undefined : A.change(A.clone(cur.doc), d => void (d.clients[target]!.name = imm(`${e.name} (2)`)))
              cur.doc = A.change(cur.doc, d => {
                if (e.add) d.clients[`new-${n}-${i}`] = { ...d.clients[target]!, id: imm(`new-${n}-${i}`), name: imm(e.name) }
                else d.clients[target]!.name = imm(e.name)
              })
              if (other) cur.doc = A.merge(cur.doc, other)
            }
            const prev = cur.entry
            // as ClinicDocSource.bytes hands a document over: the changes since its entry, else saved whole
            const bytes =
              prev && !st.whole
                ? { base: prev.saved, baseHeads: prev.heads, changes: A.saveSince(cur.doc, A.getHeads(A.load(prev.saved))) }
                : { binary: A.save(cur.doc) }
            cur.entry = await state.make({ key: st.shard, docId, chunks: [], bytes, heads: headsOf(cur.doc) })
            expect(contents(cur.entry)).toEqual(contents(await makeEntry(st.shard, docId, cur.doc, headsOf(cur.doc), [])))
            expect(state.keptBytes).toBeLessThanOrEqual(keepBytes)
            // kept documents hold no values in the heap: the next entry reads them through a view
            expect(state.keptLean).toBe(true)
            live.set(docId, cur)
          }
        } finally {
          state.clear()
        }
      }),
      { numRuns: 20 },
    )
  }, 120_000)

  it("are let go, least recently used first, once their saved sizes pass the bound, and the entries stay those of a fresh build", async () => {
    const shards = SHARDS.slice(0, 3)
    const sizes = new Map(shards.map(k => [k, A.save(DOCS.get(k)!).length]))
    // room for the two largest and their edits, not for all three
    const all = [...sizes.values()].sort((a, b) => b - a)
    const bound = all[0]! + all[1]! + Math.floor(all[2]! / 2)
    const state = new EntryMakerState(bound)
    const docs = new Map(shards.map(k => [k, A.clone(DOCS.get(k) as A.Doc<ClientShardDoc>)]))
    const entries = new Map<string, SnapshotEntry | undefined>()
    try {
      for (const [round, key] of [...shards, ...shards, shards[0]!].entries()) {
        const docId = docIdFor(CLINIC.clinicId, key)
        const before = docs.get(key)!
        const after = A.change(A.clone(before), d => {
          d.clients[Object.keys(d.clients)[0]!]!.name = imm(`Правка ${round}`)
        })
        docs.set(key, after)
        const prev = entries.get(key)
        const bytes = prev
          ? { base: prev.saved, baseHeads: prev.heads, changes: A.saveSince(after, A.getHeads(before)) }
          : { base: A.save(before), baseHeads: headsOf(before), changes: A.saveSince(after, A.getHeads(before)) }
        const made = await state.make({ key, docId, chunks: [], bytes, heads: headsOf(after) })
        entries.set(key, made)
        expect(contents(made)).toEqual(contents(await makeEntry(key, docId, after, headsOf(after), [])))
        expect(state.keptBytes).toBeLessThanOrEqual(bound)
      }
      // every shard was updated from its changes: all three would be kept without the bound
      expect(state.kept).toBe(2)
      expect(state.keptBytes).toBeGreaterThan(0)
      expect(state.keptLean).toBe(true)
      // the two used last (shards 2 and 0) are kept: an update of one needs no base; shard 1's does
      const noBase = (key: DocKey) => {
        const e = entries.get(key)!
        return state.make({ key, docId: e.docId, chunks: [], bytes: { base: new Uint8Array([1, 2, 3]), baseHeads: e.heads, changes: new Uint8Array() }, heads: e.heads })
      }
      expect((await noBase(shards[0]!))?.heads).toEqual(entries.get(shards[0]!)!.heads)
      expect((await noBase(shards[2]!))?.heads).toEqual(entries.get(shards[2]!)!.heads)
      await expect(noBase(shards[1]!)).rejects.toThrow()
      // a bound below every document keeps none, and still makes the same entries
      const none = new EntryMakerState(Math.min(...sizes.values()) - 1)
      const key = shards[0]!
      const doc = docs.get(key)!
      const docId = docIdFor(CLINIC.clinicId, key)
      const prev = entries.get(key)!
      const made = await none.make({ key, docId, chunks: [], bytes: { base: prev.saved, baseHeads: prev.heads, changes: new Uint8Array() }, heads: headsOf(doc) })
      expect(contents(made)).toEqual(contents(await makeEntry(key, docId, doc, headsOf(doc), [])))
      expect(none.kept).toBe(0)
    } finally {
      state.clear()
    }
  }, 60_000)
})

describe("snapshot entries made in the worker thread", () => {
  const worker = new EntryWorker()
  afterAll(() => worker.close())

  it("equal the entry made from the document itself, from its whole save or from the previous save and the changes since", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SHARDS), fc.array(edit, { minLength: 0, maxLength: 5 }), async (key, edits) => {
        const docId = docIdFor(CLINIC.clinicId, key)
        const before = A.clone(DOCS.get(key) as A.Doc<ClientShardDoc>)
        let after = A.clone(before)
        for (const [i, e] of edits.entries()) {
          const ids = Object.keys(after.clients)
          const target = ids[e.pick % ids.length]!
          after = A.change(after, d => {
            if (e.add) d.clients[`new-${i}`] = { ...d.clients[target]!, id: imm(`new-${i}`), name: imm(e.name) }
            else d.clients[target]!.name = imm(e.name)
          })
        }
        const expected = contents(await makeEntry(key, docId, after, headsOf(after), ["c1"]))
        const fromChanges = await worker.make({
          key,
          docId,
          chunks: ["c1"],
          bytes: { base: A.save(before), baseHeads: headsOf(before), changes: A.saveSince(after, A.getHeads(before)) },
          heads: headsOf(after),
        })
        expect(contents(fromChanges)).toEqual(expected)
        const whole = await worker.make({ key, docId, chunks: ["c1"], bytes: { binary: A.save(after) } })
        expect(contents(whole)).toEqual(expected)
      }),
      { numRuns: 15 },
    )
  }, 120_000)

  it("are made for every kind of document the clinic has", async () => {
    for (const key of KEYS) {
      const doc = DOCS.get(key) as A.Doc<AnyClinicDoc>
      const docId = docIdFor(CLINIC.clinicId, key)
      const made = await worker.make({ key, docId, chunks: [], bytes: { binary: A.save(doc) }, heads: headsOf(doc) })
      expect(contents(made)).toEqual(contents(await makeEntry(key, docId, doc, headsOf(doc), [])))
    }
  }, 120_000)

  it("refuse bytes that do not give the heads the relay saw, and bytes that are no document, and serve the next request", async () => {
    const key = SHARDS[0]!
    const doc = DOCS.get(key) as A.Doc<ClientShardDoc>
    const docId = docIdFor(CLINIC.clinicId, key)
    const later = A.change(A.clone(doc), d => {
      d.clients[Object.keys(d.clients)[0]!]!.name = imm("Другая")
    })
    // the base alone lacks the change the relay's heads include
    await expect(
      worker.make({ key, docId, chunks: [], bytes: { base: A.save(doc), baseHeads: headsOf(doc), changes: new Uint8Array() }, heads: headsOf(later) }),
    ).rejects.toThrow(/heads/)
    await expect(worker.make({ key, docId, chunks: [], bytes: { binary: new Uint8Array([1, 2, 3, 4]) } })).rejects.toThrow()
    // the honest request of the same document passes
    const ok = await worker.make({ key, docId, chunks: [], bytes: { base: A.save(doc), baseHeads: headsOf(doc), changes: A.saveSince(later, A.getHeads(doc)) }, heads: headsOf(later) })
    expect(ok?.heads).toEqual(headsOf(later))
  }, 60_000)

  it("start before any request when asked (started), take requests at once after it, and settle for a closed worker", async () => {
    const w = new EntryWorker()
    let settled = false
    const started = w.started().then(() => (settled = true))
    // the same start for every caller until it settles
    expect(w.started()).toBe(w.started())
    await started
    expect(settled).toBe(true)
    const key = SHARDS[0]!
    const doc = DOCS.get(key) as A.Doc<ClientShardDoc>
    expect((await w.make({ key, docId: docIdFor(CLINIC.clinicId, key), chunks: [], bytes: { binary: A.save(doc) } }))?.key).toBe(key)
    await w.close()
    await w.started()
  }, 60_000)

  it("fail once the worker is closed", async () => {
    const w = new EntryWorker()
    const key = SHARDS[0]!
    const doc = DOCS.get(key) as A.Doc<ClientShardDoc>
    expect((await w.make({ key, docId: docIdFor(CLINIC.clinicId, key), chunks: [], bytes: { binary: A.save(doc) } }))?.key).toBe(key)
    await w.close()
    await expect(w.make({ key, docId: docIdFor(CLINIC.clinicId, key), chunks: [], bytes: { binary: A.save(doc) } })).rejects.toThrow(/closed/)
  }, 60_000)

  it("run at a lower priority than the thread that started them, which keeps its own (Linux: nice values are per thread)", async () => {
    const nices = (): number[] =>
      readdirSync("/proc/self/task").map(tid => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])
      })
    const own = getPriority()
    const before = nices().filter(n => n === own + 7).length
    const w = new EntryWorker({ nice: own + 7 })
    const plain = new EntryWorker({ nice: 0 })
    try {
      await Promise.all([w.started(), plain.started()])
      expect(w.nice()).toEqual({ nice: own + 7 })
      // one thread more at the lower priority: the worker's, and only it
      expect(nices().filter(n => n === own + 7).length).toBe(before + 1)
      expect(getPriority()).toBe(own)
      // honest input: nice 0 leaves a worker at the priority of the thread that started it
      expect(plain.nice()).toEqual({ nice: own })
      const key = SHARDS[0]!
      const doc = DOCS.get(key) as A.Doc<ClientShardDoc>
      const bytes = { binary: A.save(doc) }
      const docId = docIdFor(CLINIC.clinicId, key)
      expect(contents(await w.make({ key, docId, chunks: [], bytes }))).toEqual(contents(await plain.make({ key, docId, chunks: [], bytes })))
    } finally {
      await Promise.all([w.close(), plain.close()])
    }
  }, 60_000)

  it("say when their thread cannot take the nice value asked, and make entries at the priority they have", async () => {
    const lines: string[] = []
    const w = new EntryWorker({ nice: 25, log: l => lines.push(l) })
    try {
      await w.started()
      expect(w.nice()?.nice).toBe(getPriority())
      expect(w.nice()?.error).toMatch(/priority/)
      expect(lines).toEqual([expect.stringMatching(/runs at nice -?\d+, not 25/)])
      const key = SHARDS[0]!
      const doc = DOCS.get(key) as A.Doc<ClientShardDoc>
      expect((await w.make({ key, docId: docIdFor(CLINIC.clinicId, key), chunks: [], bytes: { binary: A.save(doc) } }))?.key).toBe(key)
    } finally {
      await w.close()
    }
  }, 60_000)
})
