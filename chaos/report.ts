import type { Answer, Ledger } from "./Ledger.js"
import type { Problem } from "./oracle/Oracle.js"

export interface RunFigures {
  seed: number
  minutes: number
  minSteps: number
  faults: boolean
  runDir: string
  setupMs: number
  chaosMs: number
  /** from everything healed to quiet and converged; null: never within the bound */
  quietMs: number | null
  quietBoundMs: number
  faultCounts: Map<string, number>
  steps: number[]
  unresolved: number
  notes: string[]
  /** the desks synced over the LAN too */
  lan: boolean
  /** each LAN partition: groups, mode, hold, what the desks said at its hold's end */
  lanPartitions: string[]
  /** each desk replaced (FaultRunner.replacements) */
  replacements: string[]
  /** per desk: its LAN peers (and relay connection) each time they changed */
  lanPeers: string[]
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const table = (counts: Map<string, Map<string, number>>): string[] => {
  const outcomes = [...new Set([...counts.values()].flatMap(m => [...m.keys()]))].sort((a, b) => (a === "ok" ? -1 : b === "ok" ? 1 : a.localeCompare(b)))
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))
  const w = Math.max(8, ...rows.map(([c]) => c.length))
  const ow = Math.max(...outcomes.map(o => o.length)) + 2
  const head = `  ${"command".padEnd(w)} ${outcomes.map(o => o.padStart(ow)).join("")}`
  return [head, ...rows.map(([c, m]) => `  ${c.padEnd(w)} ${outcomes.map(o => String(m.get(o) ?? "").padStart(ow)).join("")}`)]
}

const grouped = (answers: readonly Answer[], max = 8): string[] => {
  const g = new Map<string, Answer[]>()
  for (const a of answers) {
    const k = `${a.command}: ${a.message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, "<id>").slice(0, 160)}`
    g.set(k, [...(g.get(k) ?? []), a])
  }
  return [...g.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, max)
    .map(([k, list]) => `  ${String(list.length).padStart(4)} × ${k}  [first: ${list[0]?.desk} ${list[0]?.op} at ${list[0]?.at}]`)
}

/** The run's report: seed first, figures, then every problem with the evidence to find its cause. */
export const formatReport = (f: RunFigures, ledger: Ledger, problems: readonly Problem[], evidence: string[]): string => {
  const acked = new Map<string, number>()
  for (const r of ledger.records.values()) if (r.acked) acked.set(r.collection, (acked.get(r.collection) ?? 0) + 1)
  const byKind = new Map<string, Problem[]>()
  for (const p of problems) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p])
  const replay = `npm run chaos -- --seed ${f.seed} --minutes ${f.minutes}${f.minSteps ? ` --min-steps ${f.minSteps}` : ""}${f.faults ? "" : " --no-faults"}${f.lan ? "" : " --no-lan"}`
  const lines = [
    `=== VetSync chaos run: seed ${f.seed} (replay: ${replay}) ===`,
    `run directory (logs, ops.jsonl, faults.jsonl): ${f.runDir}`,
    `setup ${s(f.setupMs)}, chaos ${s(f.chaosMs)}, time to quiet ${f.quietMs === null ? `NOT QUIET within ${s(f.quietBoundMs)}` : s(f.quietMs)}`,
    `desk steps: ${f.steps.join(", ")} (ops skipped for a record never acknowledged: ${f.unresolved})`,
    `operations by command and answer:`,
    ...table(ledger.counts),
    `faults by kind: ${[...f.faultCounts.entries()].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`,
    ...(f.lan
      ? [
          `LAN partitions: ${f.lanPartitions.length} (LAN peers and relay at each hold's end; links: the desks its LAN links let it reach)`,
          ...f.lanPartitions.map(p => `  ${p}`),
          `LAN peers over the run (peers@seconds since the chaos began; "offline": no relay connection):`,
          ...f.lanPeers.map(p => `  ${p}`),
        ]
      : [`LAN sync: off`]),
    `desks replaced: ${f.replacements.length}`,
    ...f.replacements.map(r => `  ${r}`),
    `acknowledged records: ${[...acked.entries()].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`,
    `designated concurrent edits: ${ledger.designated.length}`,
    `connection errors while a desk was down (not failures): ${ledger.unreachable.length} refused; ${ledger.uncertain.length} sent without an answer (outcome unknown)`,
    ...(ledger.uncertain.length ? grouped(ledger.uncertain, 4) : []),
    `internal answers: ${ledger.internals.length}`,
    ...grouped(ledger.internals),
    ...(f.notes.length ? [`notes:`, ...f.notes.map(n => `  ${n}`)] : []),
    problems.length === 0 ? `RESULT seed ${f.seed}: PASS` : `RESULT seed ${f.seed}: FAIL, ${problems.length} problems (${[...byKind.entries()].map(([k, l]) => `${k} ${l.length}`).join(", ")})`,
  ]
  for (const [kind, list] of byKind) {
    lines.push(`--- ${kind} (${list.length}) [seed ${f.seed}]`)
    for (const p of list.slice(0, 25)) lines.push(`  ${p.detail}`)
    if (list.length > 25) lines.push(`  ... ${list.length - 25} more in problems.json`)
  }
  if (evidence.length) lines.push(`--- evidence from the logs [seed ${f.seed}]`, ...evidence)
  return lines.join("\n")
}
