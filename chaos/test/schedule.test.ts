import { describe, expect, it } from "vitest"
import { FaultSchedule, type Fault } from "../faults/FaultSchedule.js"
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

const faults = (seed: number, n: number, long = false): Fault[] => {
  const s = new FaultSchedule({ seed, desks: 3, long })
  return Array.from({ length: n }, () => s.next())
}

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

  it("starts with a designated concurrent edit, then covers every kind of fault", () => {
    const f = faults(21, 14).filter(x => x.kind !== "calm")
    expect(f[0]?.kind).toBe("conflict")
    expect(new Set(f.map(x => x.kind))).toEqual(
      new Set(["conflict", "relay.kill9", "relay.restart", "bridge.kill9", "desk.kill9", "desk.cut", "pileup"]),
    )
    expect(faults(21, 20, true).filter(x => x.kind === "desk.cut").every(x => x.kind === "desk.cut" && x.holdMs >= 30_000)).toBe(true)
  })
})
