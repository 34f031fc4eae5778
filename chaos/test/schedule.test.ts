import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { replacementOf } from "../faults/replaceDesk.js"
import { FaultSchedule, groupingOf, type Fault } from "../faults/FaultSchedule.js"
import type { Op } from "../workload/ops.js"
import { Workload } from "../workload/Workload.js"

const ops = (seed: number, steps: number, order: "by-desk" | "by-round"): Op[] => {
  const w = new Workload({ seed, desks: 3, baseDate: "2026-12-01", items: 4 })
  const out: Op[] = []
  if (order === "by-round") for (let s = 0; s < steps; s++) for (let d = 0; d < 3; d++) out.push(w.op(d, s))
  // desks asking at different paces get the same ops
  else for (let d = 2; d >= 0; d--) for (let s = 0; s < steps; s++) out.push(w.op(d, s))
  return out.sort((a, b) => a.n - b.n)
}

const faults = (seed: number, n: number, long = false, lan = true, desks = 3): Fault[] => {
  const s = new FaultSchedule({ seed, desks, long, lan })
  return Array.from({ length: n }, () => s.next())
}

type Partition = Extract<Fault, { kind: "lan.partition" }>
const partitions = (list: Fault[]): Partition[] => list.filter((x): x is Partition => x.kind === "lan.partition")

describe("the chaos schedule", () => {
  it("is a function of the seed alone, however fast each desk goes", () => {
    expect(ops(7, 300, "by-desk")).toEqual(ops(7, 300, "by-round"))
    expect(ops(8, 300, "by-round")).not.toEqual(ops(7, 300, "by-round"))
    expect(faults(7, 40)).toEqual(faults(7, 40))
    expect(faults(8, 40)).not.toEqual(faults(7, 40))
  })

  it("covers every mutating command and reads within a short run's ops", () => {
    const kinds = new Set(ops(13, 40, "by-round").map(o => o.kind))
    for (const k of [
      "clients.create", "clients.update", "clients.delete", "patients.create", "patients.update", "patients.delete",
      "appointments.book", "appointments.setStatus", "invoices.create", "invoices.markPaid", "invoices.void", "conflicts.resolve", "read",
    ])
      expect(kinds, k).toContain(k)
  })

  it("starts with a designated concurrent edit and a LAN partition, then covers every kind of fault", () => {
    const f = faults(21, 20).filter(x => x.kind !== "calm")
    expect(f.slice(0, 2).map(x => x.kind)).toEqual(["conflict", "lan.partition"])
    expect(new Set(f.slice(0, 10).map(x => x.kind))).toEqual(
      new Set(["conflict", "lan.partition", "relay.kill9", "relay.restart", "bridge.kill9", "desk.kill9", "desk.cut", "pileup", "desk.replace"]),
    )
  })

  it("in a long run, covers every kind within its first ten faults at holds of 15-45 s (LAN partitions: minutes), then holds minutes", () => {
    const every = ["conflict", "lan.partition", "relay.kill9", "relay.restart", "bridge.kill9", "desk.kill9", "desk.cut", "pileup", "desk.replace"]
    const holdOf = (x: Fault): number | undefined => ("holdMs" in x ? x.holdMs : undefined)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 2 }), fc.integer({ min: 2, max: 6 }), (seed, desks) => {
        const f = faults(seed, 80, true, true, desks).filter(x => x.kind !== "calm")
        const cover = f.slice(0, 10)
        expect(new Set(cover.map(x => x.kind))).toEqual(new Set(every))
        for (const x of cover) {
          const h = holdOf(x)
          if (h === undefined) continue
          if (x.kind === "lan.partition") expect(h).toBeGreaterThanOrEqual(30_000)
          else expect([x.kind, h >= 15_000 && h <= 45_000]).toEqual([x.kind, true])
        }
        // drawn after the cover: a long run's long holds
        for (const x of f.slice(10)) {
          const h = holdOf(x)
          if (h !== undefined) expect([x.kind, h >= 30_000 && h <= 180_000]).toEqual([x.kind, true])
        }
      }),
      { numRuns: 200 },
    )
  })

  it("brings a second LAN partition early, of another grouping, with a relay outage that overlaps it and may outlast it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 2 }), fc.integer({ min: 2, max: 6 }), fc.boolean(), (seed, desks, long) => {
        const f = faults(seed, 60, long, true, desks).filter(x => x.kind !== "calm")
        // within the first five faults (a short run's three minutes hold about eight)
        const early = partitions(f.slice(0, 5))
        expect(early).toHaveLength(2)
        const [first, second] = early as [Partition, Partition]
        expect(groupingOf(second.groups)).not.toBe(groupingOf(first.groups))
        expect(second.relay).toBeDefined()
        const all = partitions(f)
        for (const [i, p] of all.entries()) {
          if (i > 0) expect(groupingOf(p.groups), `partition ${i} grouped like the one before`).not.toBe(groupingOf(all[i - 1]?.groups ?? []))
          if (!p.relay) continue
          expect(p.relay.atMs).toBeGreaterThanOrEqual(0)
          expect(p.relay.atMs).toBeLessThanOrEqual(p.holdMs / 2)
          // down until at least the hold's middle, at most 5 s past its end
          expect(p.relay.atMs + p.relay.downMs).toBeGreaterThanOrEqual(p.holdMs / 2)
          expect(p.relay.downMs).toBeLessThanOrEqual(p.holdMs + 5000)
        }
      }),
      { numRuns: 200 },
    )
  })

  it("tells groupings apart whatever the order of their groups", () => {
    expect(groupingOf([[0, 2], [1]])).toBe(groupingOf([[1], [2, 0]]))
    expect(groupingOf([[0, 2], [1]])).not.toBe(groupingOf([[0, 1], [2]]))
    expect(groupingOf([[0], [1], [2]])).not.toBe(groupingOf([[0, 1, 2]]))
  })

  it("draws no LAN partition for desks without LAN sync, and the same other episodes as before LAN sync", () => {
    const f = faults(21, 400, false, false)
    expect(f.some(x => x.kind === "lan.partition")).toBe(false)
    expect(new Set(f.filter(x => x.kind !== "calm").slice(0, 8).map(x => x.kind))).toEqual(
      new Set(["conflict", "relay.kill9", "relay.restart", "bridge.kill9", "desk.kill9", "desk.cut", "pileup", "desk.replace"]),
    )
  })

  it("splits the desks into LAN groups: every desk in exactly one, none empty, an edit across the split; short and long holds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 2 }), fc.integer({ min: 2, max: 6 }), fc.boolean(), (seed, desks, long) => {
        const list = partitions(faults(seed, 60, long, true, desks))
        expect(list.length).toBeGreaterThan(0)
        for (const p of list) {
          expect(p.groups.every(g => g.length > 0)).toBe(true)
          expect(p.groups.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: desks }, (_, i) => i))
          expect(p.holdMs).toBeGreaterThanOrEqual(long ? 30_000 : 10_000)
          expect(p.holdMs).toBeLessThanOrEqual(long ? 180_000 : 16_000)
          if (p.edit) {
            const group = (d: number): number => p.groups.findIndex(g => g.includes(d))
            expect(group(p.edit.a)).not.toBe(group(p.edit.b))
            expect([p.edit.field, p.edit.fieldA, p.edit.fieldB].length).toBe(new Set([p.edit.field, p.edit.fieldA, p.edit.fieldB]).size)
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it("draws every shape of LAN partition over a few seeds: all together, a split, every desk alone, with and without an edit", () => {
    const list = Array.from({ length: 20 }, (_, seed) => partitions(faults(seed + 1, 80))).flat()
    const shapes = new Set(list.map(p => p.groups.map(g => g.length).sort().join("+")))
    expect(shapes).toEqual(new Set(["3", "1+2", "1+1+1"]))
    expect(list.some(p => p.edit)).toBe(true)
    expect(list.some(p => p.groups.length > 1 && !p.edit)).toBe(true)
    expect(new Set(list.map(p => p.mode))).toEqual(new Set(["drop", "stall"]))
  })

  it("names a replaced desk's successor so that it sorts where the old desk did among up to nine desks (the LAN dials by that order)", () => {
    expect(replacementOf("desk-2")).toBe("desk-2r1")
    expect(replacementOf("desk-2r1")).toBe("desk-2r2")
    expect(replacementOf("chaos-x1-desk-3r9")).toBe("chaos-x1-desk-3r10")
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}-$/), fc.integer({ min: 2, max: 9 }), fc.nat(), fc.nat({ max: 4 }), (prefix, desks, pick, times) => {
        const ids = Array.from({ length: desks }, (_, i) => `${prefix}${i + 1}`)
        const i = pick % desks
        let id = ids[i] ?? ""
        for (let k = 0; k <= times; k++) {
          const next = replacementOf(id)
          expect(next).not.toBe(id)
          for (const [j, other] of ids.entries()) if (j !== i) expect(next < other, `${next} against ${other}`).toBe(id < other)
          id = next
        }
      }),
    )
  })
})
