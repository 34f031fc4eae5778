import { type DocKey, type DocPlan, planWeight, sharePlans } from "@vetsync/shared"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** Plans of honest shape: distinct keys, each with some clients and patients (weights differ). */
const plans = fc
  .array(fc.record({ clients: fc.nat(300), patients: fc.nat(400) }), { minLength: 0, maxLength: 80 })
  .map(sizes =>
    sizes.map(({ clients, patients }, i): DocPlan => ({
      key: `clients/${i}` as DocKey,
      clients: Array.from({ length: clients }, () => ({}) as never),
      patients: Array.from({ length: patients }, () => ({}) as never),
    })),
  )

describe("sharePlans (the import's documents between threads)", () => {
  it("puts every plan in exactly one share, keeps their order, and balances the shares", () => {
    fc.assert(
      fc.property(plans, fc.integer({ min: 1, max: 4 }), (all, bins) => {
        const shares = sharePlans(all, bins)
        expect(shares).toHaveLength(bins)
        const placed = shares.flat()
        expect(placed).toHaveLength(all.length)
        expect(new Set(placed)).toEqual(new Set(all))
        for (const share of shares) {
          const positions = share.map(p => all.indexOf(p))
          expect(positions).toEqual([...positions].sort((a, b) => a - b))
        }
        // heaviest first onto the lightest: no share exceeds another by more than one plan's weight
        const loads = shares.map(s => s.reduce((n, p) => n + planWeight(p), 0))
        const heaviest = Math.max(0, ...all.map(planWeight))
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(heaviest)
      }),
    )
  })
})
