import * as A from "@automerge/automerge"
import { encodeChangeMessage, type AnyClinicDoc } from "@vetsync/shared"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BIG_CHANGE_OPS, ChangeIndex } from "../../src/core/history/ChangeIndex.js"
import { recordHistory, valueText } from "../../src/core/history/recordHistory.js"

type Shard = { clients: Record<string, Record<string, unknown>> }

const IDS = ["c1", "c2", "c3"] as const
const FIELDS = ["name", "phone", "notes"] as const

interface Edit {
  id: (typeof IDS)[number]
  field: (typeof FIELDS)[number]
  value: string
  desk: string
  staff: string
  /** the edit's time, seconds (increasing through the sequence) */
  time: number
}

const edit: fc.Arbitrary<Omit<Edit, "time">> = fc.record({
  id: fc.constantFrom(...IDS),
  field: fc.constantFrom(...FIELDS),
  value: fc.string({ minLength: 1, maxLength: 12 }),
  desk: fc.constantFrom("front-1", "front-2"),
  staff: fc.constantFrom("", "s-anna", "s-boris"),
})

const asDoc = (d: A.Doc<Shard>): AnyClinicDoc => d as unknown as AnyClinicDoc

/** A shard whose three clients were created by the server (no author), then edited by desks. */
const build = (edits: Edit[], index: ChangeIndex, checkEvery: number, others: number): A.Doc<Shard> => {
  let d = A.change(A.init<Shard>({ actor: "aa" }), { message: "import", time: 1 }, x => {
    x.clients = {}
    for (const id of IDS) x.clients[id] = { id, name: `n-${id}`, phone: new A.ImmutableString(""), notes: "" }
    // other clients of the shard: with enough of them the import is too big to decode (BIG_CHANGE_OPS)
    for (let i = 0; i < others; i++) x.clients[`o${i}`] = { id: `o${i}`, name: `o${i}`, phone: new A.ImmutableString("") }
  })
  edits.forEach((e, i) => {
    d = A.change(d, { message: encodeChangeMessage({ desk: e.desk, staff: e.staff, cmd: "clients.update" }), time: e.time }, x => {
      const rec = x.clients[e.id]!
      if (e.field === "notes") A.updateText(x, ["clients", e.id, "notes"], e.value)
      else rec[e.field] = e.field === "phone" ? new A.ImmutableString(e.value) : e.value
      rec.updatedAt = `t${i}`
    })
    // the index takes the document's new changes as they come, as the desk's does
    if (i % checkEvery === 0) index.update(d)
  })
  return d
}

describe("a record's history reads its own changes only", () => {
  it("the history of each record of a shard is exactly the sequence of its own edits, newest first, with author and time", () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 25 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 5, Math.ceil(BIG_CHANGE_OPS / 3)), (raw, checkEvery, others) => {
        const edits = raw.map((e, i) => ({ ...e, time: 100 + i }))
        const index = new ChangeIndex()
        const doc = build(edits, index, checkEvery, others)
        for (const id of IDS) {
          const history = recordHistory(asDoc(doc), index, "clients", id, s => `name:${s}`)
          // what the record's own edits did, replayed: an edit that writes the value already there changes nothing shown
          const expected: { desk: string; staff: string; at: string; fields: { field: string; from: string; to: string }[] }[] = []
          const state: Record<string, string> = { name: `n-${id}`, phone: "", notes: "" }
          for (const e of edits.filter(x => x.id === id)) {
            const from = state[e.field]!
            state[e.field] = e.value
            if (from !== e.value)
              expected.push({ desk: e.desk, staff: e.staff, at: new Date(e.time * 1000).toISOString(), fields: [{ field: e.field, from, to: e.value }] })
          }
          expected.reverse()
          expected.push({ desk: "", staff: "", at: new Date(1000).toISOString(), fields: [{ field: "name", from: "", to: `n-${id}` }] })
          expect(history.map(h => ({ desk: h.desk, staff: h.staff, at: h.at, fields: h.fields }))).toEqual(expected)
          const last = history[history.length - 1]!
          expect(last.source).toBe("server")
          expect(last.created).toBe(true)
          for (const h of history.slice(0, -1)) {
            expect(h.source).toBe("desk")
            expect(h.staffName).toBe(h.staff ? `name:${h.staff}` : "")
            expect(h.cmd).toBe("clients.update")
          }
        }
      }),
      { numRuns: 40 },
    )
  })

  it("names the change of each concurrent value by its op id", () => {
    const base = A.change(A.init<Shard>({ actor: "aa" }), { message: "import", time: 1 }, x => {
      x.clients = { c1: { id: "c1", phone: new A.ImmutableString("1") } }
    })
    const a = A.change(A.clone(base, { actor: "bb" }), { message: encodeChangeMessage({ desk: "front-1", staff: "", cmd: "" }), time: 50 }, x => {
      x.clients.c1!.phone = new A.ImmutableString("2")
    })
    const b = A.change(A.clone(base, { actor: "cc" }), { message: encodeChangeMessage({ desk: "front-2", staff: "s1", cmd: "" }), time: 60 }, x => {
      x.clients.c1!.phone = new A.ImmutableString("3")
    })
    const merged = A.merge(A.clone(a), b)
    const index = new ChangeIndex()
    index.update(merged)
    const conflicts = A.getConflicts(merged.clients.c1!, "phone")!
    const byValue = Object.fromEntries(Object.entries(conflicts).map(([op, v]) => [valueText(v), index.changeOfOp(op)?.time]))
    expect(byValue).toEqual({ "2": 50, "3": 60 })
  })
})
