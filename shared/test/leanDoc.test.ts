import * as A from "@automerge/automerge"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { contentsOf, isLeanDoc, leanDoc, leanLoadTarget } from "../src/docs/leanDoc.js"

type Clinic = {
  clients: Record<string, { name: string; visits: number; tags: string[] }>
}

type Op =
  | { kind: "set"; on: 0 | 1; id: number; name: string }
  | { kind: "visit"; on: 0 | 1; id: number }
  | { kind: "tag"; on: 0 | 1; id: number; tag: string }
  | { kind: "delete"; on: 0 | 1; id: number }
  | { kind: "sync" }
  | { kind: "reload"; on: 0 | 1 }
  | { kind: "merge"; into: 0 | 1 }

const side = fc.constantFrom(0 as const, 1 as const)
const id = fc.integer({ min: 0, max: 6 })
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), on: side, id, name: fc.string({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant("visit" as const), on: side, id }),
  fc.record({ kind: fc.constant("tag" as const), on: side, id, tag: fc.string({ maxLength: 5 }) }),
  fc.record({ kind: fc.constant("delete" as const), on: side, id }),
  fc.record({ kind: fc.constant("sync" as const) }),
  fc.record({ kind: fc.constant("reload" as const), on: side }),
  fc.record({ kind: fc.constant("merge" as const), into: side }),
)

const edit = (doc: A.Doc<Clinic>, o: Exclude<Op, { kind: "sync" | "reload" | "merge" }>): A.Doc<Clinic> =>
  A.change(doc, d => {
    const key = `c${o.id}`
    if (o.kind === "set") d.clients[key] = { name: o.name, visits: 0, tags: [] }
    else if (o.kind === "delete") delete d.clients[key]
    else {
      const c = d.clients[key]
      if (!c) return
      if (o.kind === "visit") c.visits += 1
      else c.tags.push(o.tag)
    }
  })

/** Syncs two documents to quiescence, both ways, as two peers would. */
const syncBoth = (a: A.Doc<Clinic>, b: A.Doc<Clinic>): [A.Doc<Clinic>, A.Doc<Clinic>] => {
  let [sa, sb] = [A.initSyncState(), A.initSyncState()]
  for (let round = 0; round < 20; round++) {
    let msg: Uint8Array | null
    ;[sa, msg] = A.generateSyncMessage(a, sa)
    if (msg) [b, sb] = A.receiveSyncMessage(b, sb, msg)
    let back: Uint8Array | null
    ;[sb, back] = A.generateSyncMessage(b, sb)
    if (back) [a, sa] = A.receiveSyncMessage(a, sa, back)
    if (!msg && !back) return [a, b]
  }
  throw new Error("two documents did not finish syncing in 20 rounds")
}

describe("leanDoc", () => {
  it("keeps a document whole in wasm under changes, sync, reloads and merges, with nothing materialised", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.boolean(), (ops, leanFirst) => {
        const start = A.from<Clinic>({ clients: { c0: { name: "Иванова", visits: 1, tags: ["vip"] } } })
        // side 0 is lean and side 1 is as Automerge makes it; or the other way round
        const leanSide = leanFirst ? 0 : 1
        // the same actor on each side in both pairs: concurrent values resolve alike in both
        const actor = ["aa".repeat(16), "bb".repeat(16)] as const
        const docs: [A.Doc<Clinic>, A.Doc<Clinic>] = [A.clone(start, { actor: actor[0] }), A.clone(start, { actor: actor[1] })]
        docs[leanSide] = leanDoc(docs[leanSide])
        const twin: [A.Doc<Clinic>, A.Doc<Clinic>] = [A.clone(start, { actor: actor[0] }), A.clone(start, { actor: actor[1] })]
        for (const o of ops) {
          const before = A.getHeads(docs[leanSide])
          if (o.kind === "sync") {
            ;[docs[0], docs[1]] = syncBoth(docs[0], docs[1])
            ;[twin[0], twin[1]] = syncBoth(twin[0], twin[1])
          } else if (o.kind === "reload") {
            // as automerge-repo loads from storage: an empty document, the saved bytes applied
            const again = A.loadIncremental(A.init<Clinic>({ actor: actor[o.on] }), A.save(docs[o.on]))
            docs[o.on] = o.on === leanSide ? leanDoc(again) : again
          } else if (o.kind === "merge") {
            const from = o.into === 0 ? 1 : 0
            docs[o.into] = A.merge(docs[o.into], A.clone(docs[from]))
            twin[o.into] = A.merge(twin[o.into], A.clone(twin[from]))
          } else {
            docs[o.on] = edit(docs[o.on], o)
            twin[o.on] = edit(twin[o.on], o)
          }
          // A.diff, which automerge-repo asks to decide whether a change is worth syncing, answers
          // from the patches Automerge kept (its own incremental form) as a diff from scratch would:
          // some patches exactly when the step changed a value
          const after = A.getHeads(docs[leanSide])
          if (o.kind !== "reload")
            expect(A.diff(docs[leanSide], before, after).length > 0).toBe(
              A.diff(A.load<Clinic>(A.save(docs[leanSide])), before, after).length > 0,
            )
          // the lean side stays lean, with a root of no fields, and holds what a plain twin holds
          expect(isLeanDoc(docs[leanSide])).toBe(true)
          expect(Object.keys(docs[leanSide])).toEqual([])
          for (const i of [0, 1] as const) expect(A.toJS(docs[i])).toEqual(A.toJS(twin[i]))
        }
        ;[docs[0], docs[1]] = syncBoth(docs[0], docs[1])
        expect(A.getHeads(docs[0]).sort()).toEqual(A.getHeads(docs[1]).sort())
        // what the lean side saves loads as the same document, anywhere
        const loaded = A.load<Clinic>(A.save(docs[leanSide]))
        expect(loaded).toEqual(A.toJS(docs[leanSide === 0 ? 1 : 0]))
        expect(contentsOf(docs[leanSide])).toEqual(loaded)
        expect(contentsOf(loaded)).toBe(loaded)
        expect(isLeanDoc(loaded)).toBe(false)
      }),
      { numRuns: 60 },
    )
  })

  it("loads a stored document lean without the load's patches (leanLoadTarget), then changes, syncs and diffs as a plain one", () => {
    const edits = fc.array(
      op.filter((o): o is Exclude<Op, { kind: "sync" | "reload" | "merge" }> => o.kind !== "sync" && o.kind !== "reload" && o.kind !== "merge"),
      { maxLength: 15 },
    )
    fc.assert(
      fc.property(edits, edits, (before, after) => {
        let stored = A.from<Clinic>({ clients: {} }, { actor: "aa".repeat(16) })
        for (const o of before) stored = edit(stored, o)
        // as automerge-repo's StorageSubsystem loads, into the lean target
        let lean = A.loadIncremental(leanLoadTarget<Clinic>(), A.save(stored))
        let plain = A.loadIncremental(A.init<Clinic>(), A.save(stored))
        expect(isLeanDoc(lean)).toBe(true)
        expect(Object.keys(lean)).toEqual([])
        expect(A.getHeads(lean)).toEqual(A.getHeads(stored))
        expect(contentsOf(lean)).toEqual(A.toJS(stored))
        // the load kept no patches (a plain load keeps one for every value, for A.diff), and A.diff
        // across it, computed from the document when asked, answers as across a plain load
        expect((Reflect.get(lean, Symbol.for("_am_meta")) as { mostRecentPatch?: unknown }).mostRecentPatch).toBeUndefined()
        expect((Reflect.get(plain, Symbol.for("_am_meta")) as { mostRecentPatch?: unknown }).mostRecentPatch).toBeDefined()
        expect(A.diff(lean, [], A.getHeads(lean))).toEqual(A.diff(plain, [], A.getHeads(plain)))
        // every step after it is leanDoc's: patches exactly when a value changed, the same values as a plain copy
        for (const o of after) {
          const [was, wasPlain] = [A.getHeads(lean), A.getHeads(plain)]
          lean = edit(lean, o)
          plain = edit(plain, o)
          expect(A.diff(lean, was, A.getHeads(lean)).length > 0).toBe(A.diff(plain, wasPlain, A.getHeads(plain)).length > 0)
          expect(isLeanDoc(lean)).toBe(true)
          expect(contentsOf(lean)).toEqual(A.toJS(plain))
        }
        // a peer syncing from it gets the whole document
        const [, peer] = syncBoth(lean, A.init<Clinic>())
        expect(A.toJS(peer)).toEqual(A.toJS(plain))
      }),
      { numRuns: 60 },
    )
  })

  it("makes a lean document from an outdated one outdated too, and leaves other documents of its kind alone", () => {
    const a = A.from<Clinic>({ clients: {} })
    const lean = leanDoc(A.clone(a))
    const next = A.change(lean, d => {
      d.clients.c1 = { name: "Петров", visits: 0, tags: [] }
    })
    // Automerge refuses to change a version that has a successor, lean or not
    expect(() => A.change(lean, d => void (d.clients.c2 = { name: "x", visits: 0, tags: [] }))).toThrow(/outdated/)
    expect(A.toJS(next).clients.c1?.name).toBe("Петров")
    // a plain document is materialised as before
    const plain = A.change(a, d => void (d.clients.c3 = { name: "Сидоров", visits: 2, tags: [] }))
    expect(plain.clients.c3?.visits).toBe(2)
    expect(isLeanDoc(plain)).toBe(false)
  })
})
