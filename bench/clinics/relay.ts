// The relay in its own process for the clinics benchmark: authenticates against the registry in
// PostgreSQL like `vetsync server` with DATABASE_URL, and says when every clinic's snapshot is current.
// It also says when its event loop stalled (LoopStalls), when a snapshot build or update ran, and
// which of automerge-repo's own steps (doc-metrics: compaction, saves, sync messages) took long.
import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks"
import { guardProcess } from "@vetsync/shared"
import { PgAuthenticator, RelayServer } from "@vetsync/sync-server"
import { benchLeanDocs } from "../benchLeanDocs.js"
import { benchWasmHeadroom } from "../benchWasmHeadroom.js"
import { LoopStalls } from "./LoopStalls.js"

guardProcess("relay")
const [dataDir, databaseUrl, clinicList] = process.argv.slice(2) as [string, string, string]
const clinics = clinicList.split(",")
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
/** VETSYNC_BENCH_ENTRY_NICE: the snapshot entry worker thread's nice value (default the relay's, 10; 0: the main thread's) */
const entryNiceOption = (raw: string | undefined): { snapshotEntryNice?: number } => {
  if (raw === undefined) return {}
  const n = Number(raw)
  if (raw.trim() === "" || !Number.isInteger(n) || n < -20 || n > 19) throw new Error(`VETSYNC_BENCH_ENTRY_NICE=${raw}: not a nice value (an integer from -20 to 19)`)
  return { snapshotEntryNice: n }
}
const entryNice = entryNiceOption(process.env.VETSYNC_BENCH_ENTRY_NICE)
const loop = new LoopStalls(100, 20, s => say("stall", { end: s.end, ms: s.ms }))
const authenticator = await PgAuthenticator.start({ databaseUrl })
const relay = await RelayServer.start({
  ...benchWasmHeadroom(),
  ...benchLeanDocs(),
  dataDir,
  port: 0,
  clinics,
  authenticator,
  keepAliveMs: 30_000,
  ...entryNice,
  log: () => undefined,
  onSnapshotBuild: e => say("build", { phase: e.phase, name: e.name }),
})
/** automerge-repo's steps by type: how many, their total and longest time (ms) */
const steps = new Map<string, { n: number; ms: number; max: number }>()
relay.repo.on("doc-metrics", m => {
  if (!("durationMillis" in m)) return
  const s = steps.get(m.type) ?? { n: 0, ms: 0, max: 0 }
  s.n++
  s.ms += m.durationMillis
  s.max = Math.max(s.max, m.durationMillis)
  steps.set(m.type, s)
  if (m.durationMillis >= 50) say("slow-step", { type: m.type, ms: Math.round(m.durationMillis), doc: m.documentId })
})
/** garbage collections on the main thread's clock (their pauses), by kind: how many and how long (ms) */
const gcs = new Map<string, { n: number; ms: number }>()
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
}
new PerformanceObserver(list => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = GC_KINDS[e.detail?.kind ?? 0] ?? "other"
    const g = gcs.get(kind) ?? { n: 0, ms: 0 }
    g.n++
    g.ms += e.duration
    gcs.set(kind, g)
  }
}).observe({ entryTypes: ["gc"] })
say("listening", { url: relay.syncUrl, http: relay.url })
for (const [i, clinic] of clinics.entries()) {
  await relay.snapshotCurrent(clinic)
  say("snapshot-current", { clinic, done: i + 1 })
}
say("snapshots-current", { rss: process.memoryUsage().rss, loaded: Object.keys(relay.repo.handles).length })
setInterval(() => say("loaded", { loaded: Object.keys(relay.repo.handles).length, rss: process.memoryUsage().rss }), 5000).unref()
process.stdin.on("data", (d: Buffer) => {
  // the benchmark's "measure" line: the loop's figures start over; its "report" line: they are said
  for (const l of d.toString().split("\n")) {
    if (l.includes('"measure"')) {
      loop.reset()
      steps.clear()
      gcs.clear()
    } else if (l.includes('"report"')) {
      const m = process.memoryUsage()
      const memory = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, loaded: Object.keys(relay.repo.handles).length, wasmReservations: relay.wasmHeadroom?.reservations ?? -1, wasmReservedBytes: relay.wasmHeadroom?.reservedBytes ?? 0, leaned: relay.lean?.leaned ?? -1 }
      say("loop", { ...loop.summary(), steps: Object.fromEntries(steps), memory, gc: Object.fromEntries(gcs) })
    }
  }
})
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
