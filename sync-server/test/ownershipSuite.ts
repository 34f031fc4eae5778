import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ClinicLayout } from "@vetsync/shared"
import { DocOwnership } from "../src/DocOwnership.js"
import type { OwnershipStore } from "../src/OwnershipStore.js"

export interface OwnershipPlace {
  /** a store on this place: several of them see the same ownership */
  open: () => OwnershipStore
}

export interface OwnershipSuiteOptions {
  /** a fresh, empty place for one test */
  place: () => Promise<OwnershipPlace>
  /** several relays use the place at once (PostgreSQL): they must agree on each owner */
  shared: boolean
}

/** Claims of desks: a document id (from a few, so they collide) and the clinic of the desk that sent it. */
const claims = fc.array(
  fc.record({ doc: fc.integer({ min: 0, max: 7 }).map(n => `doc-${n}`), clinic: fc.constantFrom("c1", "c2", "c3") }),
  { maxLength: 30 },
)

const firstClaims = (list: { doc: string; clinic: string }[]): Map<string, string> => {
  const first = new Map<string, string>()
  for (const { doc, clinic } of list) if (!first.has(doc)) first.set(doc, clinic)
  return first
}

/** The behaviour every OwnershipStore gives DocOwnership: one suite, run on the file and on PostgreSQL. */
export const ownershipSuite = (name: string, opts: OwnershipSuiteOptions): void => {
  describe(`DocOwnership on ${name}`, () => {
    it("keeps known clinics and the first claim of each document across a restart", async () => {
      await fc.assert(
        fc.asyncProperty(claims, async list => {
          const place = await opts.place()
          const relay = await DocOwnership.open(place.open())
          relay.registerClinic("c1")
          const answers = list.map(({ doc, clinic }) => relay.claim(doc, clinic))
          const first = firstClaims(list)
          expect(answers).toEqual(list.map(({ doc, clinic }) => first.get(doc) === clinic))
          await relay.close()
          const again = await DocOwnership.open(place.open())
          expect(again.clinics).toEqual(["c1"])
          for (const [doc, clinic] of first) expect(again.ownerOf(doc)).toBe(clinic)
          expect(again.size).toBe(first.size)
          await again.close()
        }),
        { numRuns: 15 },
      )
    })

    it("gives a known clinic's layout documents to it, whoever sends them first", async () => {
      const place = await opts.place()
      const relay = await DocOwnership.open(place.open())
      relay.registerClinic("c1")
      const root = new ClinicLayout("c1").idOf("root")
      expect(relay.claim(root, "c2")).toBe(false)
      expect(relay.ownerOf(root)).toBe("c1")
      expect(relay.docsOf("c1")).toContain(root)
      await relay.close()
      const again = await DocOwnership.open(place.open())
      expect(again.ownerOf(root)).toBe("c1")
      expect(again.layoutKeyOf(root)).toBe("root")
      await again.close()
    })

    if (opts.shared)
      it("two relays agree: the claim stored first wins on both, and clinics one registered the other learns", async () => {
        await fc.assert(
          fc.asyncProperty(claims, claims, async (ofA, ofB) => {
            const place = await opts.place()
            const a = await DocOwnership.open(place.open())
            const b = await DocOwnership.open(place.open())
            a.registerClinic("c1")
            for (const { doc, clinic } of ofA) a.claim(doc, clinic)
            for (const { doc, clinic } of ofB) b.claim(doc, clinic)
            await a.flush()
            await b.flush()
            await b.refresh()
            await a.refresh()
            // A stored first: its first claims stand, B's only for documents A never claimed
            const expected = firstClaims([...ofA, ...ofB])
            for (const [doc, clinic] of expected) {
              expect(a.ownerOf(doc)).toBe(clinic)
              expect(b.ownerOf(doc)).toBe(clinic)
            }
            expect(b.clinics).toEqual(["c1"])
            await a.close()
            await b.close()
          }),
          { numRuns: 15 },
        )
      })
  })
}
