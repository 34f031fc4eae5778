import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { eventually } from "@vetsync/test-kit"
import { Cluster } from "../chaos/Cluster.js"
import { seedRelayStorage } from "../cli/seed.js"
import type { Benchmark } from "./benchmark.js"
import { formatMs, type Row } from "./table.js"

const CLINIC = "bridge-bench"
/** the seeds' clinic: what `vetsync seed` and the relay benchmark build */
const CLIENTS = 61_974
const PATIENTS = 82_371
const progress = (line: string): void => {
  process.stderr.write(`  [bridge bench] ${line}\n`)
}
const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`

/** A process's resident memory now and its peak over its life (VmRSS, VmHWM), in kB. */
const memoryOf = (pid: number | undefined): { rss: number; hwm: number } => {
  if (pid === undefined) throw new Error("the process is not running")
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN)
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") }
}

/** The bridge's operations address, from the log of its current start. */
const operationsUrl = (log: string): string | undefined => /operations server on (http:\/\/[^\s]+) /.exec(log)?.[1]

/**
 * One bridge following one seed-scale clinic, each part its own process through the `vetsync`
 * command (chaos/Cluster: embedded PostgreSQL, relay, bridge; no desk). The relay's storage holds
 * the clinic as `vetsync seed` writes it; the bridge starts with an empty projection and projects
 * every document, then is restarted on its own storage and projection (everything up to date).
 * Memory is each process's VmHWM (its peak) read from /proc.
 */
export const benchmark: Benchmark = {
  name: "bridge",
  description:
    "One bridge and one seed-scale clinic (61,974 clients, 82,371 patients): the first projection of every record into PostgreSQL, and a restart, with the bridge's peak memory in each.",
  async run(): Promise<Row[]> {
    const runDir = await mkdtemp(join(tmpdir(), "vetsync-bridge-bench-"))
    try {
      const seeded = await seedRelayStorage({ dataDir: join(runDir, "relay"), clinicId: CLINIC, clients: CLIENTS, patients: PATIENTS })
      progress(`the clinic's ${seeded.docs} documents in the relay's storage (${(seeded.bytes / 1e6).toFixed(1)} MB)`)
      const t0 = performance.now()
      const cluster = await Cluster.start({ runDir, desks: 0, clinicId: CLINIC, deskPrefix: "bridge-bench-", log: progress })
      try {
        const started = performance.now() - t0
        await eventually(
          `all ${CLIENTS} clients and ${PATIENTS} patients of the clinic as rows in PostgreSQL`,
          async () => {
            const { rows } = await cluster.pool.query<{ n: string }>(
              "SELECT (SELECT count(*) FROM clients WHERE clinic_id = $1) + (SELECT count(*) FROM patients WHERE clinic_id = $1) AS n",
              [CLINIC],
            )
            return Number(rows[0]?.n) >= CLIENTS + PATIENTS
          },
          900_000,
          { pollMs: 250 },
        )
        const projected = performance.now() - t0
        const first = memoryOf(cluster.bridge.pid)
        const relay = memoryOf(cluster.relay.pid)
        progress(`projected in ${formatMs(projected)}; bridge peak ${mb(first.hwm)}`)

        await cluster.bridge.stop()
        const t1 = performance.now()
        // not cluster.startBridge(): its bound (90 s, for tests of small clinics) is about what this start takes
        cluster.bridge.start()
        const url = await eventually(
          "the restarted bridge to say where its operations server is",
          () => operationsUrl(cluster.bridge.logOfThisStart()),
          120_000,
          { pollMs: 100 },
        )
        await eventually(
          "the restarted bridge to answer /ready (every document looked at)",
          async () => (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200,
          900_000,
          { pollMs: 250 },
        )
        const ready = performance.now() - t1
        const again = memoryOf(cluster.bridge.pid)
        return [
          {
            metric: "bridge start → every record a row in PostgreSQL (first projection)",
            value: formatMs(projected),
            target: "",
            note: `from an empty projection: PostgreSQL, registry, relay and bridge started (${formatMs(started)}), then ${seeded.docs} documents synced from the relay and ${CLIENTS + PATIENTS} records written`,
          },
          {
            metric: "bridge peak RSS, first projection",
            value: mb(first.hwm),
            target: "",
            note: `VmHWM of the bridge process (RSS at the end ${mb(first.rss)}); the relay's peak meanwhile ${mb(relay.hwm)}`,
          },
          {
            metric: "bridge restart → ready (every document looked at)",
            value: formatMs(ready),
            target: "",
            note: "SIGTERM, then a new bridge process on the same storage and projection (nothing to write)",
          },
          {
            metric: "bridge peak RSS, restart",
            value: mb(again.hwm),
            target: "",
            note: `VmHWM of the restarted bridge (RSS when ready ${mb(again.rss)}): it loads and follows every document of the clinic`,
          },
        ]
      } finally {
        await cluster.close()
      }
    } finally {
      // VETSYNC_BENCH_KEEP: keep the run directory (the processes' logs)
      if (process.env.VETSYNC_BENCH_KEEP) progress(`kept ${runDir}`)
      else await rm(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    }
  },
}
