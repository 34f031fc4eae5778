import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import { Repo, type DocumentId, type PeerId, type StorageAdapterInterface, type StorageKey, type Chunk } from "@automerge/automerge-repo"
import {
  SafeFsStorageAdapter,
  buildClinicDocs,
  decodeBundle,
  docIdFor,
  imm,
  readSnapshot,
  type ClientShardDoc,
  type DocKey,
} from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { storedBinary } from "../src/ClinicDocSource.js"
import { DocOwnership } from "../src/DocOwnership.js"
import { SnapshotBuilder } from "../src/SnapshotBuilder.js"
import { SnapshotFiles } from "../src/SnapshotFiles.js"
import { UpdatePacer } from "../src/UpdatePacer.js"
import { eventually } from "@vetsync/test-kit"
import { makeTemp, rmTemp } from "./support.js"

/**
 * A storage that counts, per document, the reads of its chunks (the Repo's and a build's). Closed,
 * it waits for the writes under way and takes no more: automerge-repo's throttled save of a change
 * can start after `repo.flush()` and `shutdown()` returned, and it wrote into a test's directory
 * after the test removed it (ENOENT on the rename, an unhandled error in CI).
 */
class CountingStorage implements StorageAdapterInterface {
  readonly reads = new Map<string, number>()
  readonly inner: SafeFsStorageAdapter
  readonly #writing = new Set<Promise<void>>()
  #closed = false
  constructor(inner: SafeFsStorageAdapter) {
    this.inner = inner
  }
  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#writing])
  }
  #count(key: StorageKey): void {
    this.reads.set(key[0]!, (this.reads.get(key[0]!) ?? 0) + 1)
  }
  load(key: StorageKey): Promise<Uint8Array | undefined> {
    this.#count(key)
    return this.inner.load(key)
  }
  #write(op: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.resolve()
    const write = op()
    this.#writing.add(write)
    void write.finally(() => this.#writing.delete(write)).catch(() => undefined)
    return write
  }
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.#write(() => this.inner.save(key, data))
  }
  remove(key: StorageKey): Promise<void> {
    return this.#write(() => this.inner.remove(key))
  }
  loadRange(prefix: StorageKey): Promise<Chunk[]> {
    this.#count(prefix)
    return this.inner.loadRange(prefix)
  }
  removeRange(prefix: StorageKey): Promise<void> {
    return this.#write(() => this.inner.removeRange(prefix))
  }
}

const CLINIC = generateClinic({ seed: "incsnap", clients: 120, patients: 150, priceItems: 6, days: 2, appointmentsPerDay: 3 })
const DOCS = buildClinicDocs(CLINIC.clinicId, CLINIC, "5eed".repeat(8))
const SHARDS = [...DOCS.keys()].filter(k => k.startsWith("clients/") && Object.keys((DOCS.get(k) as ClientShardDoc).clients).length > 0)

/** The clinic's documents written to a fresh relay-like directory. */
const seedDir = async (dir: string): Promise<void> => {
  const storage = new SafeFsStorageAdapter(`${dir}/docs`, { fsync: false })
  for (const [key, doc] of DOCS) {
    const bin = A.save(doc)
    await storage.save([docIdFor(CLINIC.clinicId, key), "snapshot", createHash("sha256").update(bin).digest("hex")], bin)
  }
}

interface Setup {
  repo: Repo
  storage: CountingStorage
  builder: SnapshotBuilder
  /** document ids a build or update loaded from storage on its own (ClinicDocSource) */
  loads: string[]
  updated: DocKey[][]
  close(): Promise<void>
}

/** Kept snapshot files whose writes are counted and, while held, wait until released. */
class GatedFiles extends SnapshotFiles {
  writes = 0
  #gate: Promise<void> | undefined
  #open: () => void = () => undefined
  hold(): void {
    this.#gate = new Promise(r => (this.#open = r))
  }
  release(): void {
    this.#gate = undefined
    this.#open()
  }
  override async write(clinicId: string, s: Parameters<SnapshotFiles["write"]>[1]): Promise<{ written: number }> {
    this.writes++
    await this.#gate
    return super.write(clinicId, s)
  }
}

const open = async (dir: string, kept: boolean | SnapshotFiles, pacer?: UpdatePacer): Promise<Setup> => {
  const files = new SafeFsStorageAdapter(`${dir}/docs`, { fsync: false })
  const storage = new CountingStorage(files)
  const ownership = await DocOwnership.open(`${dir}/ownership.json`)
  ownership.registerClinic(CLINIC.clinicId)
  const repo = new Repo({ storage, network: [], peerId: "relay:test" as PeerId, isEphemeral: true })
  const loads: string[] = []
  const updated: DocKey[][] = []
  let closed = false
  const load = storedBinary(files, id => files.chunkNames(id))
  const builder = new SnapshotBuilder({
    repo,
    ownership,
    stored: files,
    load: id => {
      loads.push(id)
      return load(id)
    },
    files: kept instanceof SnapshotFiles ? kept : kept ? new SnapshotFiles(`${dir}/snapshots`) : undefined,
    debounceMs: 30,
    ...(pacer ? { pacer } : {}),
    onUpdated: (_clinic, keys) => updated.push(keys),
  })
  return {
    repo,
    storage,
    builder,
    loads,
    updated,
    close: async () => {
      if (closed) return
      closed = true
      builder.close()
      await builder.flush()
      await repo.flush()
      await repo.shutdown()
      await storage.close()
      await ownership.close()
    },
  }
}

const byId = <T extends { id: string }>(rs: T[]): T[] => [...rs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

/**
 * What a desk reads of a snapshot and bundle: everything but the time it was made (records by id:
 * a document read from a live handle lists new map keys in the order they came), each document's heads.
 */
const contents = async (b: SnapshotBuilder) => {
  const { generatedAt: _at, ...snap } = readSnapshot(gunzipSync(await b.gzipped(CLINIC.clinicId)).toString())
  const r = snap.records
  snap.records = { clients: byId(r.clients), patients: byId(r.patients), appointments: byId(r.appointments), invoices: byId(r.invoices) }
  const bundle = decodeBundle(await b.bundle(CLINIC.clinicId)).map(e => ({
    key: e.key,
    docId: e.docId,
    heads: A.getHeads(A.load(e.bytes)).sort(),
    doc: A.toJS(A.load(e.bytes)),
  }))
  return { snap, bundle }
}

const edit = fc.record({
  shard: fc.constantFrom(...SHARDS),
  pick: fc.nat(),
  name: fc.string({ minLength: 1, maxLength: 12 }),
  add: fc.boolean(),
})

describe("the incrementally kept snapshot", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it("after random edits equals one built from scratch, and its updates read only the documents that changed", async () => {
    const base = makeTemp("incsnap-base")
    cleanup.push(() => rmTemp(base))
    await seedDir(base)
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(edit, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), async rounds => {
        const dir = `${base}-${run++}`
        fs.cpSync(base, dir, { recursive: true })
        try {
          const s = await open(dir, true)
          try {
            await s.builder.whenCurrent(CLINIC.clinicId)
            s.loads.length = 0
            s.storage.reads.clear()
            const edited = new Set<string>()
            for (const round of rounds) {
              for (const e of round) {
                const id = docIdFor(CLINIC.clinicId, e.shard)
                edited.add(id)
                const h = await s.repo.find<ClientShardDoc>(id)
                const ids = Object.keys(h.doc().clients)
                const target = ids[e.pick % ids.length]!
                h.change(d => {
                  if (e.add) d.clients[`new-${e.pick}-${run}`] = { ...d.clients[target]!, id: imm(`new-${e.pick}-${run}`), name: imm(e.name) }
                  else d.clients[target]!.name = imm(e.name)
                })
                s.builder.noteChanges(CLINIC.clinicId, id)
              }
              const handles = await Promise.all([...edited].map(id => s.repo.find(id as DocumentId)))
              await eventually(
                "the snapshot's entries to reflect the edited documents' heads",
                () => handles.every(h => sameHeads(s.builder.currentHeads(CLINIC.clinicId, h.documentId), h.heads())),
                10_000,
              )
              await s.builder.whenCurrent(CLINIC.clinicId)
              // once kept on disk, no entry's bytes are held in memory
              expect(s.builder.heldBytes(CLINIC.clinicId)).toBe(0)
            }
            // no document that did not change was read, by the updates or by anyone
            expect(s.loads.filter(id => !edited.has(id))).toEqual([])
            expect([...s.storage.reads.keys()].filter(id => !edited.has(id))).toEqual([])
            const keysRead = new Set(s.updated.flat().map(k => docIdFor(CLINIC.clinicId, k)))
            expect([...keysRead].sort()).toEqual([...edited].sort())
            const incremental = await contents(s.builder)
            for (const id of edited) expect(incremental.snap.docs[keyOf(id)]?.heads.sort()).toEqual([...(await s.repo.find(id as DocumentId)).heads()].sort())
            await s.close()
            // from scratch, from the same stored documents
            const fresh = await open(dir, false)
            try {
              expect(await contents(fresh.builder)).toEqual(incremental)
              // without a disk to keep them on, the entries hold their bytes
              expect(fresh.builder.heldBytes(CLINIC.clinicId)).toBeGreaterThan(0)
            } finally {
              await fresh.close()
            }
          } finally {
            await s.close()
          }
        } finally {
          rmTemp(dir)
        }
      }),
      { numRuns: 8, endOnFailure: true },
    )
  }, 300_000)
})

describe("the kept snapshot's writes", () => {
  it("wait one at a time, at most one behind the running one, and the last holds every update", async () => {
    const dir = makeTemp("incsnap-writes")
    try {
      await seedDir(dir)
      const files = new GatedFiles(`${dir}/snapshots`)
      const s = await open(dir, files)
      try {
        await s.builder.whenCurrent(CLINIC.clinicId)
        const shard = SHARDS[0]!
        const id = docIdFor(CLINIC.clinicId, shard)
        const h = await s.repo.find<ClientShardDoc>(id)
        const target = Object.keys(h.doc().clients)[0]!
        files.hold()
        const before = files.writes
        // five updates while the first write after them is held
        for (let i = 0; i < 5; i++) {
          const updates = s.updated.length
          h.change(d => {
            d.clients[target]!.name = imm(`name ${i}`)
          })
          s.builder.noteChanges(CLINIC.clinicId, id)
          await eventually(`update ${i} of the snapshot`, () => s.updated.length > updates && sameHeads(s.builder.currentHeads(CLINIC.clinicId, id), h.heads()), 10_000)
        }
        expect(files.writes - before).toBe(1)
        files.release()
        await s.builder.whenCurrent(CLINIC.clinicId)
        // the held write, then one with the entries as the last update left them
        expect(files.writes - before).toBe(2)
        const kept = await new SnapshotFiles(`${dir}/snapshots`).read(CLINIC.clinicId)
        expect(kept?.entries.get(shard)?.heads.sort()).toEqual([...h.heads()].sort())
      } finally {
        files.release()
        await s.close()
      }
    } finally {
      rmTemp(dir)
    }
  }, 120_000)
})

describe("the kept snapshot's entries", () => {
  it("are read back from disk for every download and update, and one removed by hand is made again", async () => {
    const dir = makeTemp("incsnap-ondisk")
    try {
      await seedDir(dir)
      const s = await open(dir, true)
      try {
        await s.builder.whenCurrent(CLINIC.clinicId)
        expect(s.builder.heldBytes(CLINIC.clinicId)).toBe(0)
        const [edited, other] = SHARDS
        if (!edited || !other) throw new Error("the test clinic has fewer than two client shards with clients")
        const id = docIdFor(CLINIC.clinicId, edited)
        const h = await s.repo.find<ClientShardDoc>(id)
        const target = Object.keys(h.doc().clients)[0]!
        // downloads while updates replace entries and writes remove the files they replace: all served
        const downloads: Promise<Buffer>[] = []
        for (let i = 0; i < 8; i++) {
          const updates = s.updated.length
          h.change(d => {
            d.clients[target]!.name = imm(`name ${i}`)
          })
          s.builder.noteChanges(CLINIC.clinicId, id)
          downloads.push(s.builder.gzipped(CLINIC.clinicId), s.builder.bundle(CLINIC.clinicId))
          await eventually(`update ${i} of the snapshot`, () => s.updated.length > updates && sameHeads(s.builder.currentHeads(CLINIC.clinicId, id), h.heads()), 10_000)
          downloads.push(s.builder.gzipped(CLINIC.clinicId), s.builder.bundle(CLINIC.clinicId))
        }
        expect((await Promise.all(downloads)).every(b => b.length > 0)).toBe(true)
        await s.builder.whenCurrent(CLINIC.clinicId)
        const before = await contents(s.builder)
        expect(before.snap.records.clients.find(c => c.id === target)?.name).toBe("name 7")
        // a kept entry's file removed by hand: the download says so, and the entry is made again
        const base = `${dir}/snapshots/${encodeURIComponent(CLINIC.clinicId)}`
        const manifest = JSON.parse(fs.readFileSync(`${base}/manifest.json`, "utf8")) as { entries: Record<string, string> }
        fs.rmSync(`${base}/${manifest.entries[other]}`)
        await expect(s.builder.gzipped(CLINIC.clinicId)).rejects.toThrow(`the kept entries of ${other} are gone from disk`)
        await eventually(
          "the removed entry made again and kept",
          async () => (await s.builder.gzipped(CLINIC.clinicId).then(() => true, () => false)) && s.builder.state(CLINIC.clinicId) === "current",
          10_000,
        )
        await s.builder.whenCurrent(CLINIC.clinicId)
        expect(await contents(s.builder)).toEqual(before)
        expect(s.builder.heldBytes(CLINIC.clinicId)).toBe(0)
      } finally {
        await s.close()
      }
    } finally {
      rmTemp(dir)
    }
  }, 120_000)
})

describe("the snapshot's updates under steady edits", () => {
  it("are paced: the edits made while an update waits for its turn are taken by that one update", async () => {
    const dir = makeTemp("incsnap-paced")
    try {
      await seedDir(dir)
      // 1 % of the time: an update of d ms is followed by 99 d of pause, at most 1.5 s
      const pacer = new UpdatePacer({ share: 0.01, maxPauseMs: 1_500 })
      const s = await open(dir, false, pacer)
      try {
        await s.builder.whenCurrent(CLINIC.clinicId)
        const [a, b, c] = SHARDS.slice(0, 3).map(k => docIdFor(CLINIC.clinicId, k))
        if (!a || !b || !c) throw new Error("the test clinic has fewer than three client shards with clients")
        const editOf = async (id: string, name: string) => {
          const h = await s.repo.find<ClientShardDoc>(id as DocumentId)
          const target = Object.keys(h.doc().clients)[0]!
          h.change(d => {
            d.clients[target]!.name = imm(name)
          })
          s.builder.noteChanges(CLINIC.clinicId, id as DocumentId)
          return h
        }
        const updates = s.updated.length
        const ha = await editOf(a, "first")
        await eventually("the update of the first edit", () => s.updated.length > updates && sameHeads(s.builder.currentHeads(CLINIC.clinicId, a), ha.heads()), 10_000)
        expect(pacer.workedMs).toBeGreaterThan(0)
        const hb = await editOf(b, "second")
        await eventually("the next update due, waiting for its turn", () => s.builder.state(CLINIC.clinicId) === "building", 10_000)
        expect(s.updated.length).toBe(updates + 1)
        const hc = await editOf(c, "third")
        await eventually(
          "both later edits in the snapshot",
          () => sameHeads(s.builder.currentHeads(CLINIC.clinicId, b), hb.heads()) && sameHeads(s.builder.currentHeads(CLINIC.clinicId, c), hc.heads()),
          20_000,
        )
        // one update for the second and third edits, after a pause
        expect(s.updated.length).toBe(updates + 2)
        expect(new Set(s.updated.at(-1))).toEqual(new Set([keyOf(b), keyOf(c)]))
        expect(pacer.pausedMs).toBeGreaterThan(0)
      } finally {
        await s.close()
      }
    } finally {
      rmTemp(dir)
    }
  }, 120_000)
})

const sameHeads = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && [...a].sort().join() === [...b].sort().join()

const keyOf = (id: string): DocKey => [...DOCS.keys()].find(k => docIdFor(CLINIC.clinicId, k) === id)!
