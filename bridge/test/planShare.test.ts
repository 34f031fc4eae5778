import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { planShare, shareTarget } from "../src/share/planShare.js"

/** A cluster's state: some bridges, some clinics, each clinic held by one bridge or by nobody. */
const cluster = fc
  .record({ bridges: fc.integer({ min: 1, max: 6 }), clinics: fc.integer({ min: 0, max: 40 }) })
  .chain(({ bridges, clinics }) =>
    fc.record({
      bridges: fc.constant(Array.from({ length: bridges }, (_, i) => `bridge-${i}`)),
      clinics: fc.constant(Array.from({ length: clinics }, (_, i) => `clinic-${i}`)),
      // -1: nobody holds it
      holders: fc.array(fc.integer({ min: -1, max: bridges - 1 }), { minLength: clinics, maxLength: clinics }),
      order: fc.array(fc.integer({ min: 0, max: bridges - 1 }), { minLength: bridges * 4, maxLength: bridges * 4 }),
    }),
  )
  .map(c => ({
    ...c,
    holders: new Map(
      c.holders.flatMap((h, i): [string, string][] => {
        const clinic = c.clinics[i]
        const bridge = c.bridges[h]
        return clinic !== undefined && bridge !== undefined ? [[clinic, bridge]] : []
      }),
    ),
  }))

/** One bridge's round as the lease table would carry it out: releases, then takes of clinics still free. */
const act = (holders: Map<string, string>, me: string, members: string[], clinics: string[]): void => {
  const plan = planShare({ me, members, clinics, holders })
  for (const c of plan.release) holders.delete(c)
  for (const c of plan.take) if (!holders.has(c)) holders.set(c, me)
}

describe("planShare: bridges sharing the clinics out", () => {
  it("the members' targets add up to the clinics and differ by at most one", () => {
    fc.assert(
      fc.property(cluster, ({ bridges, clinics }) => {
        const targets = bridges.map(b => shareTarget(b, bridges, clinics.length))
        expect(targets.reduce((a, b) => a + b, 0)).toBe(clinics.length)
        expect(Math.max(...targets) - Math.min(...targets)).toBeLessThanOrEqual(1)
      }),
    )
  })

  it("gives back only its own clinics, takes only free ones, never both, and stays within its target", () => {
    fc.assert(
      fc.property(cluster, fc.nat(), ({ bridges, clinics, holders }, pick) => {
        const me = bridges[pick % bridges.length] ?? "bridge-0"
        const plan = planShare({ me, members: bridges, clinics, holders })
        for (const c of plan.release) expect(holders.get(c)).toBe(me)
        for (const c of plan.take) expect(holders.has(c)).toBe(false)
        expect(plan.take.filter(c => plan.release.includes(c))).toEqual([])
        const mine = clinics.filter(c => holders.get(c) === me).length
        const after = mine - plan.release.length + plan.take.length
        expect(after).toBeLessThanOrEqual(plan.target)
        const free = clinics.filter(c => !holders.has(c)).length
        expect(after).toBe(Math.min(plan.target, mine - plan.release.length + free))
      }),
    )
  })

  it("settles, whatever the start and the order the bridges act in: every clinic held once, each bridge at its target", () => {
    fc.assert(
      fc.property(cluster, ({ bridges, clinics, holders, order }) => {
        const state = new Map(holders)
        // four rounds in an arbitrary order, then two in turn: enough for releases to be taken up
        for (const i of order) act(state, bridges[i] ?? "bridge-0", bridges, clinics)
        for (let round = 0; round < 2; round++) for (const b of bridges) act(state, b, bridges, clinics)
        expect(clinics.filter(c => !state.has(c))).toEqual([])
        for (const b of bridges)
          expect([...state.values()].filter(h => h === b).length).toBe(shareTarget(b, bridges, clinics.length))
        // and it stays settled
        for (const b of bridges) {
          const plan = planShare({ me: b, members: bridges, clinics, holders: state })
          expect(plan).toEqual({ target: shareTarget(b, bridges, clinics.length), release: [], take: [] })
        }
      }),
    )
  })

  it("a bridge that is gone: once its leases and membership expire, the others take all its clinics", () => {
    fc.assert(
      fc.property(cluster, ({ bridges, clinics, holders }) => {
        fc.pre(bridges.length >= 2)
        const state = new Map(holders)
        for (let round = 0; round < 3; round++) for (const b of bridges) act(state, b, bridges, clinics)
        const [dead, ...alive] = bridges
        for (const [c, h] of state) if (h === dead) state.delete(c)
        for (let round = 0; round < 3; round++) for (const b of alive) act(state, b, alive, clinics)
        expect(clinics.filter(c => !state.has(c) || state.get(c) === dead)).toEqual([])
      }),
    )
  })
})
