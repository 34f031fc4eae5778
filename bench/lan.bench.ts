import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { startDesk, type DeskCore, type RunningDesk } from "@vetsync/client"
import { EmbeddedPg } from "@vetsync/db"
import { enrolDesk } from "@vetsync/shared"
import { clinicAdd, deskAdd, PgAuthenticator, RelayServer } from "@vetsync/sync-server"
import { eventually, freePort } from "@vetsync/test-kit"
import { percentile, type Benchmark } from "./benchmark.js"
import { formatMs, type Row } from "./table.js"

const CLINIC = "lan-bench"
/** measured edits per scenario (VETSYNC_LAN_BENCH_EDITS), after WARMUP unmeasured ones */
const EDITS = Number(process.env.VETSYNC_LAN_BENCH_EDITS ?? 120)
const WARMUP = 5
const SHOW_MS = 30_000
const TARGET_P95_MS = 500

interface Scenario {
  name: string
  relay: boolean
  lan: boolean
}
const SCENARIOS: readonly Scenario[] = [
  { name: "relay only (LAN off)", relay: true, lan: false },
  { name: "relay + LAN", relay: true, lan: true },
  { name: "LAN only (relay down)", relay: false, lan: true },
]

/**
 * Milliseconds from `t0` until `core` shows the client's notes (checked on each "records-changed"
 * event, as the UI refreshes, and every 25 ms besides).
 */
const shownAfter = (core: DeskCore, id: string, notes: string, t0: number): Promise<number> =>
  new Promise((resolve, reject) => {
    let done = false
    const finish = (): void => {
      done = true
      off()
      clearInterval(poll)
      clearTimeout(limit)
    }
    const check = async (): Promise<void> => {
      try {
        const card = await core.call("clients.get", { id })
        if (done || card?.client.notes !== notes) return
        const ms = performance.now() - t0
        finish()
        resolve(ms)
      } catch (e) {
        if (!done) finish()
        reject(e instanceof Error ? e : new Error(String(e)))
      }
    }
    const off = core.onEvent(e => {
      if (e.type === "records-changed") void check()
    })
    const poll = setInterval(() => void check(), 25)
    const limit = setTimeout(() => {
      finish()
      reject(new Error(`client ${id} did not show ${JSON.stringify(notes)} within ${SHOW_MS} ms`))
    }, SHOW_MS)
  })

/**
 * Three desks (`vetsync desk --lan-port --lan-peers`, in this process) of one clinic on loopback,
 * enrolled at a relay with its registry (embedded PostgreSQL). One-field edits on desk A, each
 * timed until desks B and C show it: through the relay alone, through the relay and the LAN, and
 * over the LAN alone with the relay down.
 */
const run = async (): Promise<Row[]> => {
  const dir = await mkdtemp(join(tmpdir(), "vetsync-lan-bench-"))
  const cluster = await new EmbeddedPg({ dir: join(dir, "pg"), fast: true, scratch: true }).start()
  const databaseUrl = await cluster.createDatabase("lan")
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
  let relay: RelayServer | undefined
  let relayPort = 0
  const desks: RunningDesk[] = []
  const startRelay = async (): Promise<void> => {
    const authenticator = await PgAuthenticator.start({ databaseUrl })
    relay = await RelayServer.start({ port: relayPort, dataDir: join(dir, "relay"), authenticator, keepAliveMs: 5_000 })
    relayPort = relay.port
  }
  const stopRelay = async (): Promise<void> => {
    await relay?.close()
    relay = undefined
  }
  const closeDesks = async (): Promise<void> => {
    for (const d of desks.splice(0)) await d.close()
  }
  try {
    await startRelay()
    await clinicAdd(pool, CLINIC, "LAN bench")
    const lanPorts = [await freePort(), await freePort(), await freePort()]
    const peers = lanPorts.map(p => `127.0.0.1:${p}`)
    const dataDirs: string[] = []
    for (const name of ["a", "b", "c"]) {
      const dataDir = join(dir, `desk-${name}`)
      await enrolDesk(relay!.syncUrl, (await deskAdd(pool, { clinicId: CLINIC })).enrolmentToken, dataDir)
      dataDirs.push(dataDir)
    }
    const open = async (lan: boolean): Promise<void> => {
      await closeDesks()
      for (const [i, dataDir] of dataDirs.entries())
        desks.push(await startDesk({ dataDir, log: () => undefined, ...(lan ? { lan: { port: lanPorts[i]!, peers } } : {}) }))
    }

    // the clients edited: made on A, at every desk through the relay
    await open(false)
    const [a, b, c] = desks.map(d => d.core) as [DeskCore, DeskCore, DeskCore]
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push((await a.call("clients.create", { name: `Клиент ${i}`, notes: "" })).client.id)
    await eventually("the clients on B and C", async () => (await Promise.all([b, c].flatMap(d => ids.map(id => d.call("clients.get", { id }))))).every(x => x !== null), SHOW_MS)

    const rows: Row[] = []
    let edit = 0
    for (const s of SCENARIOS) {
      if (!s.relay) await stopRelay()
      await open(s.lan)
      const cores = desks.map(d => d.core)
      await eventually(
        `desks ready for "${s.name}"`,
        () => cores.every(d => d.status().online === s.relay && d.status().lanPeers === (s.lan ? 2 : 0)),
        SHOW_MS,
      )
      const [onA, onB, onC] = cores as [DeskCore, DeskCore, DeskCore]
      const toB: number[] = []
      const toC: number[] = []
      for (let k = 0; k < WARMUP + EDITS; k++) {
        const id = ids[edit % ids.length]!
        const notes = `edit ${edit++}`
        const t0 = performance.now()
        const seen = Promise.all([shownAfter(onB, id, notes, t0), shownAfter(onC, id, notes, t0)])
        await onA.call("clients.update", { id, patch: { notes } })
        const [msB, msC] = await seen
        if (k >= WARMUP) {
          toB.push(msB)
          toC.push(msC)
        }
      }
      toB.sort((x, y) => x - y)
      toC.sort((x, y) => x - y)
      for (const [desk, times] of [["B", toB], ["C", toC]] as const)
        rows.push({
          scenario: s.name,
          "A → desk": desk,
          edits: times.length,
          p50: formatMs(percentile(times, 50)),
          p95: formatMs(percentile(times, 95)),
          max: formatMs(times[times.length - 1] ?? Number.NaN),
          [`p95 < ${TARGET_P95_MS} ms`]: percentile(times, 95) < TARGET_P95_MS ? "yes" : "no",
        })
    }
    return rows
  } finally {
    await closeDesks().catch(() => undefined)
    await stopRelay().catch(() => undefined)
    await pool.end().catch(() => undefined)
    await cluster.dispose().catch(() => undefined)
    await rm(dir, { recursive: true, force: true }).catch(() => undefined)
  }
}

export const benchmark: Benchmark = {
  name: "lan",
  description: `LAN sync (issue 15): three desks on loopback, ${EDITS} one-field edits on desk A, each timed until desks B and C show it; through the relay alone, the relay and the LAN, and the LAN alone with the relay down (target p95 < ${TARGET_P95_MS} ms)`,
  run,
}
