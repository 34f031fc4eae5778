import * as A from "@automerge/automerge"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { hasAllHeads } from "../src/docs/heads.js"

type Doc = { n: Record<string, number> }

/** One step of a random history over three actors: an edit on one, or one merging another's changes. */
type Step = { kind: "edit"; actor: number; key: string; value: number } | { kind: "merge"; into: number; from: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("edit" as const), actor: fc.nat(2), key: fc.constantFrom("a", "b", "c"), value: fc.integer() }),
  fc.record({ kind: fc.constant("merge" as const), into: fc.nat(2), from: fc.nat(2) }),
)
const ACTORS = ["aa", "bb", "cc"].map(a => a.repeat(16))

/** Three documents that share a first change and then edit and merge at random; every heads seen on the way. */
const play = (steps: Step[]): { docs: A.Doc<Doc>[]; seen: string[][] } => {
  const base = A.change(A.init<Doc>({ actor: ACTORS[0] }), d => void (d.n = {}))
  const docs = ACTORS.map((actor, i) => (i === 0 ? base : A.merge(A.init<Doc>({ actor }), base)))
  const seen: string[][] = [A.getHeads(base)]
  for (const s of steps) {
    if (s.kind === "edit") docs[s.actor] = A.change(docs[s.actor]!, d => void (d.n[s.key] = s.value))
    else if (s.into !== s.from) docs[s.into] = A.merge(docs[s.into]!, docs[s.from]!)
    for (const d of docs) seen.push(A.getHeads(d))
  }
  return { docs, seen }
}

describe("hasAllHeads", () => {
  it("answers as A.hasHeads for every document and every heads of a random history, none included", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), (steps, picks) => {
        const { docs, seen } = play(steps)
        const hashes = [...new Set(seen.flat())]
        const sets = [[], ...seen, picks.map(p => hashes[p % hashes.length]!)]
        for (const doc of docs)
          for (const heads of sets) {
            // the honest answers: a document holds its own heads and everything it merged
            // eslint-disable-next-line no-restricted-properties -- Automerge's own answer is the oracle
            expect(hasAllHeads(doc, heads)).toBe(A.hasHeads(doc, heads))
          }
        for (const doc of docs) expect(hasAllHeads(doc, A.getHeads(doc))).toBe(true)
      }),
      { numRuns: 60 },
    )
  })

  it("refuses a hash the document never saw, and a change it only holds queued for a missing dependency", () => {
    const base = A.change(A.init<Doc>({ actor: ACTORS[0] }), d => void (d.n = {}))
    const one = A.change(base, d => void (d.n.a = 1))
    const two = A.change(one, d => void (d.n.a = 2))
    // `two` arrives without `one`: Automerge queues it, and the document does not hold it
    const [queued] = A.applyChanges(A.clone(base), A.getChanges(one, two))
    expect(A.getMissingDeps(queued, A.getHeads(two))).toEqual(A.getHeads(one))
    expect(hasAllHeads(queued, A.getHeads(two))).toBe(false)
    expect(hasAllHeads(queued, A.getHeads(base))).toBe(true)
    expect(hasAllHeads(base, ["00".repeat(32)])).toBe(false)
    expect(hasAllHeads(two, [...A.getHeads(one), "00".repeat(32)])).toBe(false)
  })
})
