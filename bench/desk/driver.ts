// A desk in its own process, driven by the desk benchmark over stdin/stdout (JSON lines).
import * as readline from "node:readline"
import { guardProcess } from "@vetsync/shared"
import { DeskCore } from "@vetsync/client"

guardProcess("desk")
// profiled (VETSYNC_BENCH_DESK_PROF): node writes the --cpu-prof profile only at a normal exit
if (process.execArgv.includes("--cpu-prof")) process.once("SIGTERM", () => process.exit(0))
const [dataDir, server, deskId, probe] = process.argv.slice(2) as [string, string, string, string]
/**
 * every event carries the process's CPU time so far (user + system, ms): on a shared machine it says
 * more than the wall clock; and the monotonic clock in µs, a CPU profile's clock
 */
const out = (o: Record<string, unknown>): void => {
  const cpu = process.cpuUsage()
  const monoUs = Number(process.hrtime.bigint() / 1000n)
  process.stdout.write(
    `${JSON.stringify({ ...o, t: Date.now(), cpuMs: Math.round((cpu.user + cpu.system) / 1000), monoUs })}\n`,
  )
}
const t0 = Date.now()
out({ ev: "started", loadedMs: Math.round(performance.now()) })
const desk = await DeskCore.open({ dataDir, server, clinicId: "bench", deskId, deskCode: deskId.toUpperCase() })
out({ ev: "opened", ms: Date.now() - t0 })
if (process.env.VETSYNC_DEBUG?.includes("mem")) {
  const mb = (n: number): number => Math.round(n / 1048576)
  setInterval(() => {
    const m = process.memoryUsage()
    const s = desk.status()
    process.stderr.write(
      `[mem ${deskId}] +${((Date.now() - t0) / 1000).toFixed(0)}s rss ${mb(m.rss)} heap ${mb(m.heapUsed)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)} open ${desk.docs.openHandles().length} ${s.bootstrap.phase} ${s.state}\n`,
    )
  }, 2000).unref()
}
let watched: string | undefined
desk.onEvent(e => {
  if (e.type === "records-changed" && watched) {
    const c = desk.rm.clients.get(watched)
    if (c) out({ ev: "phone", value: c.phone })
  }
})
// first search hit (the snapshot streams in document by document), then the whole clinic searchable.
// The probe searches only when something new was applied (a batch of records, or the phase): a
// search every 20 ms took a share of the very thread that applies the snapshot, and was counted
// in the bootstrap's own phases
void (async () => {
  let hit = false
  let seen = ""
  for (;;) {
    const { phase, records } = desk.status().bootstrap
    const done = phase !== "none" && phase !== "snapshot"
    if (`${phase}/${records}` !== seen) {
      seen = `${phase}/${records}`
      const { hits } = await desk.call("clients.search", { query: probe, limit: 5 })
      if (hits.length > 0 && !hit) {
        hit = true
        out({ ev: "first-hit", ms: Date.now() - t0 })
      }
      if (hits.length > 0 && done) return out({ ev: "searchable", ms: Date.now() - t0 })
    }
    await new Promise(r => setTimeout(r, 20))
  }
})()
void (async () => {
  for (;;) {
    const s = desk.status()
    if (
      s.bootstrap.phase === "done" ||
      (s.bootstrap.phase === "none" && s.online && desk.rm.counts().clients > 0 && s.bootstrap.docsTotal === 0)
    )
      return out({ ev: "local", ms: Date.now() - t0, phase: s.bootstrap.phase, timings: desk.bootstrapTimings() })
    await new Promise(r => setTimeout(r, 50))
  }
})()

const rl = readline.createInterface({ input: process.stdin })
for await (const line of rl) {
  const cmd = JSON.parse(line) as { op: string; [k: string]: unknown }
  try {
    if (cmd.op === "search") {
      const queries = cmd.queries as string[]
      const ms: number[] = []
      for (const q of queries) {
        const s = performance.now()
        await desk.call("clients.search", { query: q, limit: 30 })
        ms.push(performance.now() - s)
      }
      out({ ev: "search", ms })
    } else if (cmd.op === "names") {
      const rows = desk.rm.clients.search(String(cmd.prefix), 2000)
      out({ ev: "names", names: rows.map(r => r.name), ids: rows.map(r => r.id) })
    } else if (cmd.op === "watch") {
      watched = String(cmd.id)
      out({ ev: "watching" })
    } else if (cmd.op === "edit") {
      out({ ev: "editing", value: cmd.value })
      await desk.call("clients.update", { id: String(cmd.id), patch: { phone: String(cmd.value) } })
      out({ ev: "edited", value: cmd.value })
    } else if (cmd.op === "memory") {
      out({ ev: "memory", rss: process.memoryUsage().rss })
    } else if (cmd.op === "close") {
      await desk.close()
      out({ ev: "closed" })
      process.exit(0)
    }
  } catch (e) {
    out({ ev: "error", message: (e as Error).message })
  }
}
