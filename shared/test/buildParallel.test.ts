import * as A from "@automerge/automerge"
import { type AnyClinicDoc, buildClinicBinaries, buildClinicBinariesParallel, docIdFor } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ACTOR, buildByProxy, contents } from "./importReference.js"

/** A document as JSON, without the price list's publishedAt (the time of the import). */
const materialised = (bytes: Uint8Array): unknown => {
  const { publishedAt: _, ...rest } = A.toJS(A.load<Record<string, unknown>>(bytes))
  return rest
}

/** The history's shape: the genesis, then the importer's one change with its message. */
const history = (bytes: Uint8Array): unknown =>
  A.getHistory(A.load<AnyClinicDoc>(bytes)).map(({ change: c }) => ({
    hash: c.actor === ACTOR ? "" : c.hash,
    actor: c.actor,
    deps: c.deps,
    message: c.message,
    ops: c.ops.length,
  }))

describe("buildClinicBinariesParallel (the import on worker threads, issue 13)", () => {
  it("builds the same documents, in the same order, with the same ids and contents as one thread", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 2, max: 3 }),
        fc.boolean(),
        async (seed, threads, withPrices) => {
          const { priceItems, ...records } = generateClinic({
            seed,
            clients: 60,
            patients: 80,
            priceItems: 10,
            days: 4,
            appointmentsPerDay: 5,
          })
          const clinic = { ...records, ...(withPrices ? { priceItems } : {}) }
          const clinicId = `p${seed}`
          const one = buildClinicBinaries(clinicId, clinic, ACTOR)
          const many = await buildClinicBinariesParallel(clinicId, clinic, ACTOR, { threads })
          expect([...many.keys()]).toEqual([...one.keys()])
          expect([...many.keys()].map(k => docIdFor(clinicId, k))).toEqual(
            [...one.keys()].map(k => docIdFor(clinicId, k)),
          )
          const reference = buildByProxy(clinicId, clinic, ACTOR)
          for (const [key, bytes] of one) {
            const built = many.get(key)
            if (!built) throw new Error(`no ${key}`)
            expect(materialised(built)).toEqual(materialised(bytes))
            expect(history(built)).toEqual(history(bytes))
            const old = reference.get(key)
            if (!old) throw new Error(`the reference has no ${key}`)
            expect(contents(key, A.load<AnyClinicDoc>(built))).toEqual(contents(key, old))
          }
        },
      ),
      { numRuns: 4 },
    )
  })

  it("builds on one thread alone when asked to", async () => {
    const clinic = generateClinic({ seed: 5, clients: 10, patients: 12, priceItems: 0, days: 1, appointmentsPerDay: 2 })
    const one = buildClinicBinaries("s5", clinic, ACTOR)
    const alone = await buildClinicBinariesParallel("s5", clinic, ACTOR, { threads: 1 })
    expect([...alone.keys()]).toEqual([...one.keys()])
    for (const [key, bytes] of one)
      expect(materialised(alone.get(key) ?? new Uint8Array())).toEqual(materialised(bytes))
  })
})
