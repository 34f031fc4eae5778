import * as A from "@automerge/automerge"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { buildClinicDocs, conflictsIn, conflictsOf, imm, linearHistory, recordsOfDoc, type ClientShardDoc, type DocKey } from "../src/index.js"

const clinic = generateClinic({ seed: "linear", clients: 300, patients: 320, priceItems: 1, days: 1, appointmentsPerDay: 1 })
const docs = buildClinicDocs(clinic.clinicId, clinic, "11ea".repeat(8))
const SHARD = [...docs.keys()].find(k => k.startsWith("clients/") && Object.keys((docs.get(k) as ClientShardDoc).clients).length >= 2) as DocKey
const base = docs.get(SHARD) as A.Doc<ClientShardDoc>
const IDS = Object.keys(base.clients)
const FIELDS = ["name", "phone", "email"] as const
const ACTORS = ["aa", "bb", "cc"].map(a => a.repeat(16))

/** An edit of one client's field on one desk, or one desk taking in what another has. */
type Step = { edit: [desk: number, client: number, field: (typeof FIELDS)[number], value: string] } | { sync: [from: number, to: number] }
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ edit: fc.tuple(fc.nat(2), fc.nat(IDS.length - 1), fc.constantFrom(...FIELDS), fc.string({ maxLength: 6 })) }),
  fc.record({ sync: fc.tuple(fc.nat(2), fc.nat(2)) }),
)

const desks = (): A.Doc<ClientShardDoc>[] => ACTORS.map(a => A.clone(base, a))
const editOn = (doc: A.Doc<ClientShardDoc>, client: number, field: (typeof FIELDS)[number], value: string): A.Doc<ClientShardDoc> =>
  A.change(doc, d => void (d.clients[IDS[client]!]![field] = imm(value)))

/** Every desk's changes merged into the first desk's copy. */
const mergedAll = (ds: A.Doc<ClientShardDoc>[]): A.Doc<ClientShardDoc> => ds.slice(1).reduce((m, d) => A.merge(m, d), ds[0]!)

describe("a document's history as one chain (linearHistory) and the conflicts of its records (conflictsIn)", () => {
  it("conflictsIn gives every record of any history the same conflicts as conflictsOf, field by field", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), steps => {
        const ds = desks()
        for (const s of steps) {
          if ("edit" in s) ds[s.edit[0]] = editOn(ds[s.edit[0]]!, s.edit[1], s.edit[2], s.edit[3])
          else if (s.sync[0] !== s.sync[1]) ds[s.sync[1]] = A.merge(ds[s.sync[1]]!, ds[s.sync[0]]!)
        }
        const doc = mergedAll(ds)
        const fast = conflictsIn(doc)
        for (const r of recordsOfDoc(doc)) expect(fast(r.collection, r.record.id)).toEqual(conflictsOf(doc, r.collection, r.record.id))
        // a history of one chain holds no concurrent value anywhere
        if (linearHistory(doc)) for (const r of recordsOfDoc(doc)) expect(conflictsOf(doc, r.collection, r.record.id)).toEqual([])
      }),
      { numRuns: 150 },
    )
  })

  it("is one chain when each desk edits only after taking in everything before it, whoever edits", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(IDS.length - 1), fc.constantFrom(...FIELDS), fc.string({ maxLength: 6 })), { maxLength: 20 }), edits => {
        const ds = desks()
        let latest = ds[0]!
        for (const [desk, client, field, value] of edits) {
          // the desk takes in the latest document first: its edit follows every earlier one
          const mine = ds[desk]!
          ds[desk] = editOn(mine === latest ? mine : A.merge(mine, latest), client, field, value)
          latest = ds[desk]!
        }
        const doc = mergedAll(ds)
        expect(linearHistory(doc)).toBe(true)
        for (const r of recordsOfDoc(doc)) expect(conflictsOf(doc, r.collection, r.record.id)).toEqual([])
      }),
      { numRuns: 100 },
    )
  })

  it("is not one chain once two desks edit without seeing each other's edit, merged or not, and then conflicts show", () => {
    const [a, b] = desks() as [A.Doc<ClientShardDoc>, A.Doc<ClientShardDoc>]
    const a1 = editOn(a, 0, "name", "Анна")
    const b1 = editOn(b, 0, "name", "Инна")
    // two heads, not merged by a later change
    const both = A.merge(A.clone(a1), b1)
    expect(A.getHeads(both)).toHaveLength(2)
    expect(linearHistory(both)).toBe(false)
    expect(conflictsIn(both)("clients", IDS[0]!)).toEqual(conflictsOf(both, "clients", IDS[0]!))
    expect(conflictsIn(both)("clients", IDS[0]!)[0]?.field).toBe("name")
    // merged by a later change (one head, a change with two dependencies)
    const later = editOn(both, 1, "phone", "+7 900 000-00-00")
    expect(A.getHeads(later)).toHaveLength(1)
    expect(linearHistory(later)).toBe(false)
    expect(conflictsIn(later)("clients", IDS[0]!).map(c => c.field)).toEqual(["name"])
    // two documents begun apart (two changes without dependencies), then joined
    type Note = { note?: string }
    const apart = (actor: string): A.Doc<Note> => A.change(A.init<Note>(actor), d => void (d.note = actor))
    const first = apart(ACTORS[0]!)
    expect(linearHistory(first)).toBe(true)
    expect(linearHistory(A.merge(first, apart(ACTORS[1]!)))).toBe(false)
    // the seeds' documents are one change each
    for (const d of docs.values()) expect(linearHistory(d)).toBe(true)
  })
})
