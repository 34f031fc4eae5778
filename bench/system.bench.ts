import { mkdtempSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { eventually } from "@vetsync/test-kit"
import { Cluster } from "../chaos/Cluster.js"
import { latencies, type Benchmark } from "./benchmark.js"
import { DeskEdits, type RowCheck } from "./system/DeskEdits.js"
import { PgRows } from "./system/PgRows.js"
import { ProcCpu } from "./system/ProcCpu.js"
import { StageClock } from "./system/StageClock.js"
import type { Row } from "./table.js"

/** edits measured one at a time, desk command → row in PostgreSQL */
const EDITS = Number(process.env.VETSYNC_BENCH_EDITS ?? 120)
/** edits made while the desk is cut from the relay */
const OFFLINE = Number(process.env.VETSYNC_BENCH_OFFLINE_EDITS ?? 1000)
/** how often PostgreSQL is asked whether an edit arrived (the resolution of the latencies) */
const POLL_MS = 5
const progress = (line: string): void => {
  process.stderr.write(`  [system bench] ${line}\n`)
}
/**
 * A series of the relay's /metrics (it answers loopback). The scrape under way is shared: the
 * signals a sample reads together cost the relay one scrape, not three, per poll.
 */
const scrapes = new Map<number, Promise<string>>()
const relayMetric = async (port: number, series: string): Promise<number> => {
  let scrape = scrapes.get(port)
  if (!scrape) {
    scrape = fetch(`http://127.0.0.1:${port}/metrics`)
      .then(r => r.text())
      .finally(() => scrapes.delete(port))
    scrapes.set(port, scrape)
  }
  const text = await scrape
  const line = text.split("\n").find(l => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : Number.NaN
}
/** performance.now() as the monotonic clock of a V8 CPU profile's timestamps (µs) */
const monoUs = (t: number): string => String(Math.round((Number(process.hrtime.bigint()) / 1e6 - performance.now() + t) * 1000))
const ms = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)

/**
 * The whole system as in production, each part its own process through the `vetsync` command
 * (chaos/Cluster: embedded PostgreSQL with the registry, relay, bridge, one enrolled desk behind a
 * TCP proxy), on a scratch directory and free ports. Edits go through the desk's HTTP API; PostgreSQL
 * is polled every POLL_MS for the row each one wrote.
 */
export const benchmark: Benchmark = {
  name: "system",
  description: `Relay, bridge, embedded PostgreSQL and a desk, each its own process: edit → PostgreSQL latency over ${EDITS} mixed edits (creates and updates of clients, patients, appointments, invoices), then ${OFFLINE} edits made offline → all in PostgreSQL after reconnecting.`,
  async run(): Promise<Row[]> {
    const rows: Row[] = []
    const runDir = mkdtempSync(path.join(os.tmpdir(), "vetsync-system-bench-"))
    const t0 = Date.now()
    // VETSYNC_BENCH_CPU_PROF=1: every product process writes a V8 CPU profile into <run dir>/prof at its exit
    // (with VETSYNC_BENCH_KEEP); the reconnect's window is printed in their clock (µs, monotonic)
    const nodeArgs = process.env.VETSYNC_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.join(runDir, "prof")}`] : []
    const cluster = await Cluster.start({ runDir, desks: 1, clinicId: "system", deskPrefix: "system-desk-", log: progress, nodeArgs })
    try {
      const desk = cluster.desks[0]
      if (!desk) throw new Error("no desk")
      const itemId = await eventually(
        "the desk to be online with the price list",
        async () => {
          const st = await desk.client.call("status", undefined)
          const p = await desk.client.call("pricelist.search", { query: "", limit: 10 })
          return st.kind === "ok" && st.value.online && p.kind === "ok" && p.value[0]?.id
        },
        120_000,
        { pollMs: 250 },
      )
      rows.push({ metric: "start: PostgreSQL, registry, relay, bridge, desk enrolled and online", value: ms(Date.now() - t0), target: "", note: "each part its own process" })
      const edits = new DeskEdits(desk.client, itemId)
      const db = new PgRows(cluster.pool)
      // a few edits first: the bridge's first projection of a document and the desk's first writes are not typical
      for (let i = 0; i < 8; i++) {
        const c = await edits.mixed(i)
        await eventually(`warm-up edit ${i} in PostgreSQL`, () => db.shows(c), 60_000, { pollMs: 50 })
      }
      const lat: number[] = []
      const byTable = new Map<string, number[]>()
      for (let i = 0; i < EDITS; i++) {
        const t = performance.now()
        const c = await edits.mixed(i)
        await eventually(`edit ${i} (${c.table} ${c.id}) in PostgreSQL`, () => db.shows(c), 60_000, { pollMs: POLL_MS })
        const d = performance.now() - t
        lat.push(d)
        const kind = `${c.table} ${c.column ? "update" : "create"}`
        byTable.set(kind, [...(byTable.get(kind) ?? []), d])
      }
      const all = latencies(lat)
      progress(`online edits: p50 ${ms(all.p50)}, p95 ${ms(all.p95)}, max ${ms(all.max)}`)
      rows.push({ metric: "edit → PostgreSQL p50", value: ms(all.p50), target: "", note: `${lat.length} mixed edits, one at a time: desk API call → row visible (polled every ${POLL_MS} ms)` })
      rows.push({ metric: "edit → PostgreSQL p95", value: ms(all.p95), target: "", note: "" })
      rows.push({ metric: "edit → PostgreSQL max", value: ms(all.max), target: "", note: "" })
      for (const [kind, xs] of [...byTable].sort()) {
        const s = latencies(xs)
        rows.push({ metric: `  ${kind} p50 / max`, value: `${ms(s.p50)} / ${ms(s.max)}`, target: "", note: `${xs.length} edits` })
      }

      // offline: the desk cut from the relay (its proxy drops every connection), edits, then reconnect
      desk.proxy.drop()
      await eventually("the desk to notice it is offline", async () => {
        const st = await desk.client.call("status", undefined)
        return st.kind === "ok" && !st.value.online
      }, 60_000, { pollMs: 100 })
      const checks: RowCheck[] = []
      const tw = Date.now()
      for (let i = 0; i < OFFLINE; i++) checks.push(await edits.mixed(i))
      const wrote = Date.now() - tw
      progress(`${OFFLINE} offline edits made in ${ms(wrote)}; reconnecting`)
      const before = await db.count(checks)
      let seen = before
      const st0 = await desk.client.call("status", undefined)
      let waiting = st0.kind === "ok" ? st0.value.waitingRecords : Number.NaN
      const clock = await StageClock.start([
        { name: "desk → relay bytes", note: "through the desk's proxy", read: () => desk.proxy.stats.up },
        { name: "relay → desk bytes", note: "through the desk's proxy (sync answers, durable acks)", read: () => desk.proxy.stats.down },
        { name: "relay durable acks", note: "vetsync_relay_durable_acks_total", read: () => relayMetric(cluster.relayPort, "vetsync_relay_durable_acks_total") },
        { name: "relay sync frames in", note: "vetsync_relay_messages_total, from the desk and the bridge", read: () => relayMetric(cluster.relayPort, 'vetsync_relay_messages_total{direction="in"}') },
        { name: "relay sync frames out", note: "vetsync_relay_messages_total, to the desk and the bridge", read: () => relayMetric(cluster.relayPort, 'vetsync_relay_messages_total{direction="out"}') },
        { name: "desk records waiting", note: "the desk's status (falls as the relay acknowledges)", read: () => -waiting },
        { name: "relay → bridge bytes", note: "through the bridge's proxy", read: () => cluster.bridgeProxy.stats.down },
        { name: "bridge → relay bytes", note: "through the bridge's proxy", read: () => cluster.bridgeProxy.stats.up },
        { name: "rows in PostgreSQL", note: "final row states shown", read: () => seen.shown },
      ])
      const cpu = () => ({
        relay: ProcCpu.tree(cluster.relay.pid),
        bridge: ProcCpu.tree(cluster.bridge.pid),
        desk: ProcCpu.tree(desk.proc.pid),
        postgres: ProcCpu.postgres(),
        bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      })
      const cpu0 = cpu()
      const healed = performance.now()
      clock.from(healed)
      desk.proxy.heal()
      // staff pressing "Sync now" (VETSYNC_BENCH_SYNC_NOW=1) skips what is left of the desk's reconnect back-off
      if (process.env.VETSYNC_BENCH_SYNC_NOW) await desk.client.call("sync.now", undefined)
      let online = Number.NaN
      const reconnected = eventually("the desk to be online again", async () => {
        const st = await desk.client.call("status", undefined)
        return st.kind === "ok" && st.value.online
      }, 300_000, { pollMs: 50 }).then(() => {
        online = performance.now() - healed
      })
      await eventually(`all ${OFFLINE} offline edits in PostgreSQL`, async () => {
        const st = await desk.client.call("status", undefined)
        if (st.kind === "ok") waiting = st.value.waitingRecords
        seen = await db.count(checks)
        await clock.sample()
        return seen.shown === seen.wanted
      }, 300_000, { pollMs: 25, describe: () => `${seen.shown} of ${seen.wanted} shown` })
      const took = performance.now() - healed
      const cpu1 = cpu()
      if (nodeArgs.length > 0) progress(`reconnect window for the profiles: ${monoUs(healed)} → ${monoUs(healed + took)} µs`)
      await reconnected
      progress(`offline edits in PostgreSQL ${ms(took)} after the network came back, the desk online after ${ms(online)}`)
      rows.push({ metric: `${OFFLINE} offline edits made on the desk`, value: ms(wrote), target: "", note: `mixed, one at a time through its API, relay cut off (${before.shown} of ${before.wanted} checks in PostgreSQL before reconnecting)` })
      rows.push({ metric: `reconnect → all ${OFFLINE} offline edits in PostgreSQL`, value: ms(took), target: "< 10 s", note: `${seen.wanted} final row states checked (a field edited twice counts once, at its last value)${process.env.VETSYNC_BENCH_SYNC_NOW ? "; Sync now pressed" : ""}` })
      rows.push({ metric: "  of which: network back → desk online", value: ms(online), target: "", note: "the desk's reconnect back-off (after a network failure up to 2 s, full jitter) and its handshake" })
      rows.push({ metric: "  of which: desk online → all in PostgreSQL", value: ms(took - online), target: "", note: "upload to the relay, relay → bridge, projection" })
      rows.push({
        metric: "  CPU seconds from reconnect to all in PostgreSQL",
        value: (Object.keys(cpu1) as (keyof typeof cpu1)[]).map(k => `${k} ${(cpu1[k] - cpu0[k]).toFixed(1)}`).join(", "),
        target: "",
        note: "/proc: each process with its children (PostgreSQL: the postmaster and its backends; bench: this process, polling)",
      })
      for (const st of clock.stages())
        rows.push({ metric: `  stage: ${st.name}: first, 50 %, 90 %, last growth`, value: [st.first, st.half, st.most, st.last].map(ms).join(", "), target: "", note: `${st.note}; grew ${Math.round(st.grew).toLocaleString("en")}` })
    } finally {
      await cluster.close()
      if (process.env.VETSYNC_BENCH_KEEP) progress(`kept ${runDir} (VETSYNC_BENCH_KEEP: the processes' logs)`)
      else rmSync(runDir, { recursive: true, force: true })
    }
    return rows
  },
}
