import { createHash } from "node:crypto"
import * as A from "@automerge/automerge"
import { cbor, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { checkAutomergeEntry } from "../src/automergeChunks.js"
import { parseClientFrame } from "../src/clientFrames.js"

/**
 * The relay must accept every sync message Automerge itself produces and applies (the lesson
 * of an honest desk locked out after an offline session), and still refuse what Automerge would
 * not load. Seeds: fast-check prints the seed and path of a failure; replay with
 * VETSYNC_FC_SEED=<seed> (and VETSYNC_FC_RUNS for a longer run).
 */
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 60)
const SEED = process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : undefined
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) }

type Shared = {
  records: Record<string, { name: string; n: number; tags: string[] }>
  log: string[]
}

const { documentId } = parseAutomergeUrl(generateAutomergeUrl())
const frameOf = (data: Uint8Array): Uint8Array =>
  cbor.encode({ type: "sync", senderId: "desk:d1:abcd", targetId: "relay:main", documentId, data })

type Op =
  | { t: "edit"; peer: number; key: number; name: string; n: number }
  | { t: "tag"; peer: number; key: number; tag: string }
  | { t: "del"; peer: number; key: number }
  | { t: "log"; peer: number; text: string }
  | { t: "sync"; a: number; b: number; rounds: number }
  | { t: "save-load"; peer: number }

const opArb = (peers: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant("edit" as const),
        peer: fc.nat(peers - 1),
        key: fc.nat(7),
        name: fc.string({ maxLength: 12 }),
        n: fc.integer(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant("tag" as const),
        peer: fc.nat(peers - 1),
        key: fc.nat(7),
        tag: fc.string({ maxLength: 6 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("del" as const), peer: fc.nat(peers - 1), key: fc.nat(7) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant("log" as const),
        peer: fc.nat(peers - 1),
        text: fc.string({ maxLength: 40 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant("sync" as const),
        a: fc.nat(peers - 1),
        b: fc.nat(peers - 1),
        rounds: fc.integer({ min: 1, max: 4 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("save-load" as const), peer: fc.nat(peers - 1) }) },
  )

/** One peer's view: its document and a sync state per other peer (reset when it "restarts"). */
class Peer {
  doc: A.Doc<Shared>
  states = new Map<number, A.SyncState>()
  constructor(doc: A.Doc<Shared>) {
    this.doc = doc
  }
  state(other: number): A.SyncState {
    let s = this.states.get(other)
    if (!s) this.states.set(other, (s = A.initSyncState()))
    return s
  }
}

/** Runs the ops; every sync message either side produces is checked as the relay would check it. */
const run = (peerCount: number, ops: Op[], onMessage: (m: Uint8Array) => void): Peer[] => {
  const genesis = A.from<Shared>({ records: {}, log: [] }, { actor: "00".repeat(16) })
  const peers = Array.from(
    { length: peerCount },
    (_, i) => new Peer(A.clone(genesis, { actor: `${i + 1}`.padStart(32, "a") })),
  )
  const exchange = (a: number, b: number, rounds: number): void => {
    const pa = peers[a]!
    const pb = peers[b]!
    for (let r = 0; r < rounds * 2; r++) {
      const [from, to, fromIdx, toIdx] = r % 2 === 0 ? [pa, pb, a, b] : [pb, pa, b, a]
      const [s, msg] = A.generateSyncMessage(from.doc, from.state(toIdx))
      from.states.set(toIdx, s)
      if (!msg) continue
      onMessage(msg)
      const [doc, s2] = A.receiveSyncMessage(to.doc, to.state(fromIdx), msg)
      to.doc = doc
      to.states.set(fromIdx, s2)
    }
  }
  for (const op of ops) {
    switch (op.t) {
      case "edit": {
        const p = peers[op.peer]!
        p.doc = A.change(p.doc, d => {
          const r = d.records[`r${op.key}`]
          if (r) {
            r.name = op.name
            r.n = op.n
          } else d.records[`r${op.key}`] = { name: op.name, n: op.n, tags: [] }
        })
        break
      }
      case "tag": {
        const p = peers[op.peer]!
        p.doc = A.change(p.doc, d => void d.records[`r${op.key}`]?.tags.push(op.tag))
        break
      }
      case "del": {
        const p = peers[op.peer]!
        p.doc = A.change(p.doc, d => void delete d.records[`r${op.key}`])
        break
      }
      case "log": {
        const p = peers[op.peer]!
        p.doc = A.change(p.doc, d => void d.log.push(op.text))
        break
      }
      case "sync":
        if (op.a !== op.b) exchange(op.a, op.b, op.rounds)
        break
      case "save-load": {
        // a restart: the document reloaded from disk, every sync state fresh
        const p = peers[op.peer]!
        p.doc = A.load<Shared>(A.save(p.doc), { actor: A.getActorId(p.doc) })
        p.states.clear()
        for (const other of peers) other.states.delete(op.peer)
        break
      }
    }
  }
  // everyone with everyone until quiet: the run ends converged
  for (let pass = 0; pass < 3; pass++)
    for (let a = 0; a < peerCount; a++) for (let b = a + 1; b < peerCount; b++) exchange(a, b, 4)
  return peers
}

describe("the relay's check of sync messages", () => {
  it("accepts the two-changes entry that locked a desk out (three changes of one actor, the relay holding the first)", () => {
    // fixed timestamps: a change's hash covers its time, and whether Automerge packs the two
    // missing changes into one entry depends on their hashes (with random times it sometimes sends
    // two entries of one change each, which never tripped the old check)
    const at = { time: 0 }
    let desk = A.change(A.init<{ n: number; x?: number }>({ actor: "aa".repeat(16) }), at, d => void (d.n = 0))
    let other = A.merge(A.init<{ n: number; x?: number }>({ actor: "bb".repeat(16) }), desk)
    other = A.change(other, at, d => void (d.x = 1))
    other = A.change(other, at, d => void (d.x = 2))
    desk = A.merge(desk, other)
    let relay = A.merge(A.init<{ n: number; x?: number }>({ actor: "cc".repeat(16) }), desk)
    for (let n = 1; n <= 3; n++) desk = A.change(desk, at, d => void (d.n = n))
    relay = A.applyChanges(relay, [A.getChanges(relay, desk)[0]!])[0]
    let ds = A.initSyncState()
    let rs = A.initSyncState()
    let chunksPerEntry: number[] = []
    for (let i = 0; i < 6; i++) {
      const [ds2, m] = A.generateSyncMessage(desk, ds)
      ds = ds2
      if (m) {
        for (const entry of A.decodeSyncMessage(m).changes) {
          const checked = checkAutomergeEntry(entry)
          chunksPerEntry = [...chunksPerEntry, checked.ok ? checked.chunks.length : -1]
        }
        const parsed = parseClientFrame(frameOf(m))
        expect(parsed, JSON.stringify(parsed)).toMatchObject({ ok: true, kind: "doc" })
        ;[relay, rs] = A.receiveSyncMessage(relay, rs, m)
      }
      const [rs2, r] = A.generateSyncMessage(relay, rs)
      rs = rs2
      if (r) [desk, ds] = A.receiveSyncMessage(desk, ds, r)
      if (!m && !r) break
    }
    expect(A.getHeads(relay)).toEqual(A.getHeads(desk))
    // the desk's entry really was the two missing changes back to back (what the old check refused)
    expect(chunksPerEntry).toEqual([2])
  })

  it("accepts every message of random offline editing on several peers synced in random order", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 4 })
          .chain(n => fc.tuple(fc.constant(n), fc.array(opArb(n), { minLength: 1, maxLength: 40 }))),
        ([n, ops]) => {
          let messages = 0
          const peers = run(n, ops, msg => {
            messages++
            const parsed = parseClientFrame(frameOf(msg))
            if (!parsed.ok) throw new Error(`refused an honest message: ${parsed.error}`)
          })
          // the generated traffic converged, so it is the traffic Automerge really exchanges
          const heads = A.getHeads(peers[0]!.doc)
          for (const p of peers) expect(A.getHeads(p.doc)).toEqual(heads)
          return messages >= 0
        },
      ),
      params,
    )
  })

  it("refuses an entry with bytes after its chunks, a cut-off chunk, a flipped byte or an unknown chunk type", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 5 }),
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        fc.nat(),
        (edits, junk, where) => {
          let doc = A.from<{ v: string[] }>({ v: [] })
          for (const e of edits) doc = A.change(doc, d => void d.v.push(e))
          const changes = A.getAllChanges(doc)
          const entry = new Uint8Array(changes.flatMap(c => [...c]))
          expect(checkAutomergeEntry(entry).ok).toBe(true)
          // trailing junk: Automerge's loadIncremental would keep the valid prefix and drop the rest
          expect(checkAutomergeEntry(new Uint8Array([...entry, ...junk])).ok).toBe(false)
          // cut off anywhere inside a chunk (a cut between two chunks leaves whole chunks: valid)
          const boundaries = new Set(changes.map((_, i) => changes.slice(0, i + 1).reduce((n, c) => n + c.length, 0)))
          const cut = 1 + (where % (entry.length - 1))
          expect(checkAutomergeEntry(entry.subarray(0, cut)).ok).toBe(boundaries.has(cut))
          // one byte of a change's body flipped: its checksum no longer matches
          const flipped = entry.slice()
          const at = 12 + (where % (changes[0]!.length - 12))
          flipped[at] = flipped[at]! ^ 0xff
          expect(checkAutomergeEntry(flipped).ok).toBe(false)
          const unknownType = entry.slice()
          unknownType[8] = 9
          expect(checkAutomergeEntry(unknownType).ok).toBe(false)
        },
      ),
      params,
    )
  })

  it("accepts a whole saved document and a document followed by changes in one entry", () => {
    let doc = A.from({ a: 1 })
    const saved = A.save(doc)
    doc = A.change(doc, d => void (d.a = 2))
    const last = A.getLastLocalChange(doc)!
    const checked = checkAutomergeEntry(new Uint8Array([...saved, ...last]))
    expect(checked.ok && checked.chunks.map(c => c.kind)).toEqual(["document", "change"])
  })

  it("takes a saved document exactly as Automerge's load does: its heads, or refused when a body byte changed under a checksum made right", () => {
    const uleb = (b: Uint8Array, at: number): { value: number; next: number } => {
      let value = 0
      let scale = 1
      let i = at
      for (; (b[i]! & 0x80) !== 0; i++) {
        value += (b[i]! & 0x7f) * scale
        scale *= 128
      }
      return { value: value + (b[i]! & 0x7f) * scale, next: i + 1 }
    }
    const loadHeads = (b: Uint8Array): string[] | undefined => {
      try {
        return A.getHeads(A.load(b))
      } catch {
        return undefined
      }
    }
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (edits, where, mask) => {
          let doc = A.from<{ v: string[] }>({ v: [] })
          for (const e of edits) doc = A.change(doc, d => void d.v.push(e))
          const saved = A.save(doc)
          // honest: a whole saved document is accepted, with the heads Automerge loads
          const honest = checkAutomergeEntry(saved)
          expect(honest.ok && honest.chunks.map(c => c.hashes)).toEqual([A.getHeads(doc)])
          // one body byte changed, the checksum recomputed so that only the loader can tell
          const len = uleb(saved, 9)
          const bent = saved.slice()
          const at = len.next + (where % (saved.length - len.next))
          bent[at] = bent[at]! ^ mask
          const sum = createHash("sha256").update(bent.subarray(8, len.next)).update(bent.subarray(len.next)).digest()
          bent.set(sum.subarray(0, 4), 4)
          const checked = checkAutomergeEntry(bent)
          const loaded = loadHeads(bent)
          expect(checked.ok).toBe(loaded !== undefined)
          if (checked.ok) expect(checked.chunks.map(c => c.hashes)).toEqual([loaded])
        },
      ),
      params,
    )
  })
})
