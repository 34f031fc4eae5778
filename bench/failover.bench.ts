import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EmbeddedPg, migrate } from "@vetsync/db"
import { clinicAdd, serviceAdd } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import pg from "pg"
import { startBridgeProcess, type BridgeProcess } from "../test/helpers/BridgeProcess.js"
import { FailoverCluster } from "../test/helpers/FailoverCluster.js"
import type { Benchmark } from "./benchmark.js"
import { failoverRound, type FailoverKind, type FailoverTimes } from "./failover/failoverRound.js"
import type { Row } from "./table.js"

const ROUNDS = Number(process.env.VETSYNC_BENCH_FAILOVER_ROUNDS ?? 3)
/** the kill -9 rounds, then a planned restart */
const KINDS: FailoverKind[] = [...Array.from({ length: ROUNDS }, (): FailoverKind => "kill -9"), "SIGTERM"]

const s = (ms: number | undefined): string => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`)

/** The table: one column per round; the two figures with a target, then where their seconds went. */
const table = (rounds: readonly FailoverTimes[]): Row[] => {
  const row = (figure: string, value: (t: FailoverTimes) => number | string | undefined, target = ""): Row => {
    const r: Row = { figure }
    rounds.forEach((t, i) => {
      const v = value(t)
      r[`${i + 1}: ${t.how}`] = typeof v === "string" ? v : s(v)
    })
    r.target = target
    return r
  }
  const since = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b)
  return [
    row("relay: kill → the desk's next edit acknowledged", t => t.deskAcked, "< 10 s"),
    row("bridge: kill → that edit a row in PostgreSQL", t => t.inPostgres, "< 10 s"),
    row("relay killed", t => t.killed),
    row("· its lease of the clinic expires (kill -9: rest of the lease) or is released (SIGTERM)", t => t.leaseExpired),
    row("· another relay takes the lease (after expiry: the first retry of the desk or bridge)", t => since(t.leaseTaken, t.leaseExpired)),
    row("· desk joins the new holder (after the takeover)", t => since(t.deskJoined, t.leaseTaken)),
    row("· desk's edit acknowledged (after it joined)", t => since(t.deskAcked, t.deskJoined)),
    row("· bridge joins the new holder (after the takeover)", t => since(t.bridgeJoined, t.leaseTaken)),
    row("· projection: in PostgreSQL (after the later of ack and bridge join)", t =>
      since(t.inPostgres, Math.max(t.deskAcked, t.bridgeJoined ?? 0)),
    ),
  ]
}

export const benchmark: Benchmark = {
  name: "failover",
  description:
    "Two `vetsync server` processes on one embedded PostgreSQL (VETSYNC_RELAY_STORAGE=postgres) behind one loopback address, a desk of each of two clinics and a `vetsync bridge` on the shared address: the relay holding clinic x's lease is killed with -9 (then restarted, for the next round); time until x's desk has an edit made after the kill acknowledged by the other relay, and until that edit is a row in PostgreSQL through the bridge, broken down. Target < 10 s each.",
  async run(): Promise<Row[]> {
    const dir = await mkdtemp(join(tmpdir(), "vetsync-bench-failover-"))
    const cluster = await new EmbeddedPg({ dir: join(dir, "pg"), fast: true, scratch: true }).start()
    const url = await cluster.createDatabase("failover")
    const pool = new pg.Pool({ connectionString: url, max: 3 })
    pool.on("error", () => undefined)
    let relays: FailoverCluster | undefined
    let bridge: BridgeProcess | undefined
    try {
      await migrate(pool)
      await clinicAdd(pool, "x")
      await clinicAdd(pool, "y")
      const { credential } = await serviceAdd(pool, "bridge")
      relays = await FailoverCluster.start({ dir, databaseUrl: url, pool })
      const x = await relays.startDesk("x", "x1")
      const y = await relays.startDesk("y", "y1")
      bridge = await startBridgeProcess({ dir, databaseUrl: url, relayUrl: relays.url, credential })
      const rounds: FailoverTimes[] = []
      for (const how of KINDS) {
        // the desk and the bridge on the holder, the clinic's edits so far in PostgreSQL
        let last = ""
        for (const desk of [x, y, x]) last = (await relays.addClient(desk, 60_000)).id
        await eventually(
          "the warm-up edits in PostgreSQL",
          async () => (await pool.query("SELECT 1 FROM clients WHERE id::text = $1", [last])).rowCount === 1,
          60_000,
        )
        const times = await failoverRound(relays, pool, x, bridge, how)
        rounds.push(times)
        await relays.restart(times.killed)
        // the next failover lands on a relay that caught up since its restart, not on one still starting
        await relays.settled(times.killed)
      }
      return table(rounds)
    } finally {
      await bridge?.proc.stop().catch(() => bridge?.proc.kill9())
      await relays?.close()
      await pool.end()
      await cluster.dispose()
      if (process.env.VETSYNC_BENCH_KEEP === "1") console.log(`failover: run directory kept in ${dir} (every process's log)`)
      else await rm(dir, { recursive: true, force: true })
    }
  },
}
