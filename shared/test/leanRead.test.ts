import * as A from "@automerge/automerge"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { buildClinicDocs } from "../src/docs/build.js"
import { imm } from "../src/docs/convert.js"
import { isLeanDoc, leanDoc, leanLoadTarget } from "../src/docs/leanDoc.js"
import { contentsFor, kindOfDoc, recordIdsOf } from "../src/docs/leanRead.js"
import { COLLECTIONS_OF_KIND, changedRecordsBetween, readRecord } from "../src/docs/records.js"
import type { AnyClinicDoc } from "../src/docs/types.js"
import type { Collection } from "../src/schema/records.js"

/** An edit of a record document, the same on its materialised and its lean copy. */
type Edit =
  | { op: "field"; pick: number; value: string }
  | { op: "delete"; pick: number }
  | { op: "pay"; pick: number; amount: number }
  | { op: "add"; id: string }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant("field" as const), pick: fc.nat(), value: fc.string({ maxLength: 8 }) }),
  fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("pay" as const), pick: fc.nat(), amount: fc.integer({ min: 1, max: 100_000 }) }),
  fc.record({ op: fc.constant("add" as const), id: fc.uuid() }),
)

const mapOf = (d: unknown, collection: string): Record<string, Record<string, unknown>> => {
  const root = d as Record<string, Record<string, Record<string, unknown>> | undefined>
  return (root[collection] ??= {})
}

/** Applies the edit to a materialised document; a no-op when the document holds nothing it names. */
const applyEdit = (doc: A.Doc<AnyClinicDoc>, e: Edit): A.Doc<AnyClinicDoc> => {
  const collection = COLLECTIONS_OF_KIND[doc.kind][0]
  if (!collection) return doc
  const ids = Object.keys(mapOf(doc, collection))
  const id = ids.length > 0 ? ids[("pick" in e ? e.pick : 0) % ids.length] : undefined
  return A.change(doc, d => {
    const map = mapOf(d, collection)
    if (e.op === "add") map[e.id] = { id: imm(e.id), notes: "added", name: "added" }
    else if (!id) return
    else if (e.op === "field") map[id]!.notes = e.value
    else if (e.op === "delete") delete map[id]
    else if (collection === "invoices")
      mapOf(d, "payments")[`${id}:${e.amount}`] = { id: imm(String(e.amount)), amount: e.amount, method: imm("cash") }
  })
}

/** Every record the document holds, and some it does not, as targets. */
const targetsOf = (doc: A.Doc<AnyClinicDoc>, missing: string[]): { collection: Collection; id: string }[] =>
  COLLECTIONS_OF_KIND[doc.kind].flatMap(collection => [
    ...Object.keys(mapOf(doc, collection)).map(id => ({ collection, id })),
    ...missing.map(id => ({ collection, id })),
  ])

describe("reading records of a lean document", () => {
  it("answers what the materialised document answers: kind, record ids, records with their payments, changed records", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(edit, { maxLength: 8 }),
        fc.array(fc.uuid(), { maxLength: 3 }),
        (seed, edits, missing) => {
          const clinic = generateClinic({ seed, clients: 12, patients: 18, priceItems: 3, days: 2, appointmentsPerDay: 3 })
          const { priceItems: _items, ...records } = clinic
          for (const [key, built] of buildClinicDocs("c1", records, "a1".repeat(16))) {
            if (COLLECTIONS_OF_KIND[built.kind].length === 0) continue
            let full = A.clone(built, { actor: "b2".repeat(16) })
            let lean = A.loadIncremental(leanLoadTarget<AnyClinicDoc>(), A.save(full))
            const before = A.getHeads(full)
            for (const e of edits) {
              const next = applyEdit(full, e)
              if (next === full) continue
              full = next
              const change = A.getLastLocalChange(full)
              if (change) [lean] = A.applyChanges(lean, [change])
            }
            expect(isLeanDoc(lean), key).toBe(true)
            expect(A.getHeads(lean)).toEqual(A.getHeads(full))
            expect(kindOfDoc(lean)).toBe(full.kind)
            for (const collection of COLLECTIONS_OF_KIND[full.kind])
              expect(recordIdsOf(lean, collection).sort()).toEqual(recordIdsOf(full, collection).sort())
            const targets = targetsOf(full, missing)
            const read = contentsFor(lean, targets)
            for (const t of targets) expect(readRecord(read, t.collection, t.id), `${key} ${t.collection}/${t.id}`).toEqual(readRecord(full, t.collection, t.id))
            expect(changedRecordsBetween(lean, before, A.getHeads(lean))).toEqual(changedRecordsBetween(full, before, A.getHeads(full)))
          }
        },
      ),
      { numRuns: 15 },
    )
  })

  it("leaves a materialised document as it is, and reads a document made lean after it was materialised", () => {
    const clinic = generateClinic({ seed: 7, clients: 5, patients: 5, priceItems: 1, days: 1, appointmentsPerDay: 2 })
    const { priceItems: _items, ...records } = clinic
    const docs = buildClinicDocs("c1", records, "a1".repeat(16))
    for (const doc of docs.values()) {
      const targets = targetsOf(doc, [])
      expect(contentsFor(doc, targets)).toBe(doc)
      const lean = leanDoc(A.clone(doc))
      for (const t of targets) expect(readRecord(contentsFor(lean, targets), t.collection, t.id)).toEqual(readRecord(doc, t.collection, t.id))
    }
  })
})
