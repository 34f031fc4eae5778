import { mkdtempSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { eventually } from "@vetsync/test-kit"
import { Cluster } from "../chaos/Cluster.js"
import { latencies, type Benchmark } from "./benchmark.js"
import { DeskEdits, type RowCheck } from "./system/DeskEdits.js"
import { PgRows } from "./system/PgRows.js"
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
    const cluster = await Cluster.start({ runDir, desks: 1, clinicId: "system", deskPrefix: "system-desk-", log: progress })
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
      const healed = performance.now()
      desk.proxy.heal()
      let seen = before
      await eventually(`all ${OFFLINE} offline edits in PostgreSQL`, async () => {
        seen = await db.count(checks)
        return seen.shown === seen.wanted
      }, 300_000, { pollMs: 25, describe: () => `${seen.shown} of ${seen.wanted} shown` })
      const took = performance.now() - healed
      progress(`offline edits in PostgreSQL ${ms(took)} after reconnecting`)
      rows.push({ metric: `${OFFLINE} offline edits made on the desk`, value: ms(wrote), target: "", note: `mixed, one at a time through its API, relay cut off (${before.shown} of ${before.wanted} checks in PostgreSQL before reconnecting)` })
      rows.push({ metric: `reconnect → all ${OFFLINE} offline edits in PostgreSQL`, value: ms(took), target: "< 10 s", note: `${seen.wanted} final row states checked (a field edited twice counts once, at its last value)` })
    } finally {
      await cluster.close()
      rmSync(runDir, { recursive: true, force: true })
    }
    return rows
  },
}
