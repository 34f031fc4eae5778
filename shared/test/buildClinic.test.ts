import * as A from "@automerge/automerge"
import {
  type AnyClinicDoc,
  buildClinicBinaries,
  buildClinicDocs,
  docIdFor,
  genesisDoc,
  recordsOfDoc,
} from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ACTOR, buildByProxy, contents } from "./importReference.js"

const small = (seed: number) =>
  generateClinic({ seed, clients: 40, patients: 55, priceItems: 12, days: 3, appointmentsPerDay: 6 })

describe("buildClinicBinaries (the import, issue 13)", () => {
  it("builds the same documents, ids and records as the import by A.change it replaces", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), seed => {
        const clinic = small(seed)
        const clinicId = `c${seed}`
        const before = buildByProxy(clinicId, clinic, ACTOR)
        const after = buildClinicDocs(clinicId, clinic, ACTOR)
        expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
        expect([...after.keys()].map(k => docIdFor(clinicId, k)).sort()).toEqual(
          [...before.keys()].map(k => docIdFor(clinicId, k)).sort(),
        )
        for (const [key, old] of before) {
          const doc = after.get(key)
          if (!doc) throw new Error(`no ${key}`)
          expect(contents(key, doc)).toEqual(contents(key, old))
          // the same layout: the top-level containers are the genesis's objects, the records inside them
          const genesis = genesisDoc(clinicId, key)
          const containers = Object.entries(genesis).filter(([, v]) => typeof v === "object" && !A.isImmutableString(v))
          expect(containers.length).toBeGreaterThan(0)
          for (const [field] of containers) expect(A.getObjectId(doc, field)).toBe(A.getObjectId(genesis, field))
          // the genesis, then one change by the importer on top of it
          const history = A.getHistory(doc).map(h => h.change)
          expect(history).toHaveLength(2)
          expect(history[0]?.hash).toBe(A.getHeads(genesis)[0])
          expect(history[1]?.actor).toBe(ACTOR)
          expect(history[1]?.deps).toEqual(A.getHeads(genesis))
          expect(history[1]?.message).toBe(A.getHistory(old)[1]?.change.message)
        }
        // every record of the clinic is somewhere
        const records = [...after.values()].flatMap(d => [...recordsOfDoc(d)])
        expect(records).toHaveLength(
          clinic.clients.length + clinic.patients.length + clinic.appointments.length + clinic.invoices.length,
        )
      }),
      { numRuns: 6 },
    )
  })

  it("saves bytes that load as the documents, and merge with a desk's own genesis of the same key", () => {
    const clinic = small(7)
    for (const [key, bytes] of buildClinicBinaries("c7", clinic, ACTOR)) {
      const desk = A.change(A.clone(genesisDoc("c7", key), { actor: "d35c".repeat(8) }), d => {
        ;(d as unknown as Record<string, unknown>).marker = new A.ImmutableString("desk")
      })
      const merged = A.merge(desk, A.load<AnyClinicDoc>(bytes))
      expect(contents(key, merged)).toEqual(contents(key, A.load<AnyClinicDoc>(bytes)))
    }
  })
})
