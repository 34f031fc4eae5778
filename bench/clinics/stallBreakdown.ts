import type { ProcEvent } from "../desk/Proc.js"
import { latencies } from "../benchmark.js"
import type { LoopSummary, Stall } from "./LoopStalls.js"
import type { Row } from "../table.js"

/** One (edit, other desk) pair: when the edit was made (Date.now()) and how long until the desk saw it. */
export interface SeenPair {
  start: number
  ms: number
}

/** The relay's "loop" line: its LoopSummary and automerge-repo's steps (see clinics/relay.ts). */
export type RelayLoop = LoopSummary & { steps: Record<string, { n: number; ms: number; max: number }> }

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN)

/** Reads the relay's "loop" line; fields it lacks read as NaN or empty. */
export const relayLoopOf = (e: ProcEvent): RelayLoop => {
  const stalls = Array.isArray(e.stalls) ? (e.stalls as unknown[]) : []
  const steps: RelayLoop["steps"] = {}
  if (typeof e.steps === "object" && e.steps !== null)
    for (const [k, v] of Object.entries(e.steps as Record<string, Record<string, unknown>>))
      steps[k] = { n: num(v.n), ms: num(v.ms), max: num(v.max) }
  return {
    p50: num(e.p50),
    p99: num(e.p99),
    max: num(e.max),
    stalls: stalls.flatMap(s => (typeof s === "object" && s !== null ? [{ end: num((s as Stall).end), ms: num((s as Stall).ms) }] : [])),
    steps,
  }
}

const overlaps = (p: SeenPair, stalls: readonly Stall[]): boolean => stalls.some(s => s.end - s.ms < p.start + p.ms && s.end > p.start)

const loopRow = (who: string, l: LoopSummary): Row => {
  const total = l.stalls.reduce((n, s) => n + s.ms, 0)
  const longest = l.stalls.reduce((n, s) => Math.max(n, s.ms), 0)
  return {
    metric: `${who} event loop delay p50 / p99 / max`,
    value: `${l.p50} / ${l.p99} / ${l.max} ms`,
    target: "",
    note: `${l.stalls.length} stalls ≥ 100 ms during the edits, ${total} ms in all, longest ${longest} ms`,
  }
}

/** The relay's snapshot builds and updates during the edits: pairs of started/finished events (one runs at a time). */
const snapshotWork = (events: readonly ProcEvent[], from: number, to: number): number[] => {
  const out: number[] = []
  let started: number | undefined
  for (const e of events) {
    if (e.ev !== "build" || e.t < from || e.t > to) continue
    if (e.phase === "started") started = e.t
    else if (started !== undefined) {
      out.push(e.t - started)
      started = undefined
    }
  }
  return out
}

/**
 * Where the slow pairs' time went: the event-loop delay of the relay and of this process (which
 * runs every simulated desk), how many pairs over `slowMs` overlapped a stall of either, the
 * relay's snapshot updates, and automerge-repo's own steps on the relay that took longest.
 */
export const stallBreakdown = (o: {
  pairs: readonly SeenPair[]
  slowMs: number
  relayLoop: RelayLoop
  benchLoop: LoopSummary
  /** whose loop benchLoop is; default this process's, which runs every desk */
  benchLabel?: string
  relayEvents: readonly ProcEvent[]
  from: number
  to: number
}): Row[] => {
  const slow = o.pairs.filter(p => p.ms > o.slowMs)
  const relay = slow.filter(p => overlaps(p, o.relayLoop.stalls))
  const bench = slow.filter(p => overlaps(p, o.benchLoop.stalls))
  const both = relay.filter(p => overlaps(p, o.benchLoop.stalls)).length
  const neither = slow.filter(p => !overlaps(p, o.relayLoop.stalls) && !overlaps(p, o.benchLoop.stalls)).length
  const updates = latencies(snapshotWork(o.relayEvents, o.from, o.to))
  const steps = Object.entries(o.relayLoop.steps)
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 4)
    .map(([type, s]) => `${type} ${s.n}× ${Math.round(s.ms)} ms (max ${Math.round(s.max)})`)
    .join("; ")
  return [
    loopRow("relay", o.relayLoop),
    loopRow(o.benchLabel ?? "benchmark process (every desk)", o.benchLoop),
    {
      metric: `pairs over ${o.slowMs} ms: during a relay stall / a ${o.benchLabel ? "desk process" : "benchmark"} stall / both / neither`,
      value: `${relay.length} / ${bench.length} / ${both} / ${neither}`,
      target: "",
      note: `${slow.length} of ${o.pairs.length} pairs`,
    },
    {
      metric: "relay snapshot updates during the edits: n, p50 / max",
      value: updates.n === 0 ? "0" : `${updates.n}, ${Math.round(updates.p50)} / ${Math.round(updates.max)} ms`,
      target: "",
      note: "from the build queue taking one to it finishing (the work itself and its awaits)",
    },
    { metric: "relay's automerge-repo steps by total time", value: "", target: "", note: steps || "none" },
  ]
}
