import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { lanPeerProblems, type LanPeersSeen } from "../oracle/lanPeers.js"

/** A cluster's desks and the LAN links the harness has open for each (0..desks-1). */
const clusterOf = fc
  .integer({ min: 1, max: 6 })
  .chain(n => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n })))
  .map(([n, links]) => ({ names: Array.from({ length: n }, (_, i) => `desk-${i + 1}`), links }))

describe("the chaos oracle's LAN peers check", () => {
  it("passes desks that report as many LAN peers as they have links open (and 0 without LAN sync)", () => {
    fc.assert(
      fc.property(clusterOf, fc.boolean(), ({ names, links }, lan) => {
        const open = new Map(lan ? names.map((n, i) => [n, links[i] ?? 0] as const) : [])
        const honest: LanPeersSeen[] = names.map((name, i) => ({ name, lanPeers: lan ? (links[i] ?? 0) : 0 }))
        expect(lanPeerProblems(honest, open)).toEqual([])
      }),
    )
  })

  it("names each desk whose count differs from its open links, or that gave no status", () => {
    fc.assert(
      fc.property(clusterOf, fc.nat(), fc.integer({ min: 1, max: 3 }), fc.boolean(), ({ names, links }, pick, off, silent) => {
        const open = new Map(names.map((n, i) => [n, links[i] ?? 0] as const))
        const wrong = pick % names.length
        const seen: LanPeersSeen[] = names.map((name, i) => ({
          name,
          lanPeers: i !== wrong ? (links[i] ?? 0) : silent ? undefined : (links[i] ?? 0) + off,
        }))
        const problems = lanPeerProblems(seen, open)
        expect(problems.map(p => [p.kind, p.desk])).toEqual([["lan-peers", names[wrong]]])
        expect(problems[0]?.detail).toContain(`${links[wrong] ?? 0} of its LAN links open`)
      }),
    )
  })
})
