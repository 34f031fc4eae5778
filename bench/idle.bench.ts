import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import type { Benchmark } from "./benchmark.js"
import { ProcessSampler, type ProcessSample } from "./idle/ProcessSampler.js"
import type { Row } from "./table.js"

/**
 * `npm start` left idle (issue 9's "done when"): `vetsync dev` (relay, bridge with embedded
 * PostgreSQL, one desk) on a scratch data directory and free ports, started fresh and then
 * restarted on the same data. Each phase idles VETSYNC_IDLE_MINUTES (default 3) after
 * "desk ready"; the table has CPU (% of one core) and RSS per minute and the refusals and
 * errors in the log. Target: no refusal, under 5 % of a core after the first minute.
 * VETSYNC_IDLE_CLI runs another checkout's cli/vetsync.mjs (to compare against an old commit).
 */
const MINUTES = Number(process.env.VETSYNC_IDLE_MINUTES ?? 3)
const CLI = process.env.VETSYNC_IDLE_CLI ?? path.resolve(import.meta.dirname, "../cli/vetsync.mjs")
const SAMPLE_MS = 5_000
const READY_LIMIT_MS = 600_000
const TARGET_CPU = 5

const progress = (line: string): void => void process.stderr.write(`  [idle bench] ${line}\n`)

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      )
    })
  })

/** The dev process and what its log said so far. */
interface Dev {
  child: ChildProcess
  refusals: number
  errors: number
  ready: Promise<void>
}

const startDev = async (dataDir: string): Promise<Dev> => {
  const args = [CLI, "dev", "--data-dir", dataDir, "--relay-port", `${await freePort()}`]
  args.push("--desk-port", `${await freePort()}`)
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: path.dirname(path.dirname(CLI)),
  })
  const dev: Dev = { child, refusals: 0, errors: 0, ready: Promise.resolve() }
  dev.ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("vetsync dev was not ready in time")), READY_LIMIT_MS)
    child.once("exit", code => reject(new Error(`vetsync dev exited (${code}) before it was ready`)))
    let tail = ""
    const onData = (b: Buffer) => {
      const lines = (tail + b.toString()).split("\n")
      tail = lines.pop() ?? ""
      for (const line of lines) {
        if (/refusing/.test(line)) dev.refusals++
        if (/\berror\b|exception/i.test(line)) dev.errors++
        if (line.includes("[dev] desk ready")) {
          clearTimeout(timer)
          resolve()
        }
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
  })
  return dev
}

const stopDev = async (dev: Dev, sampler: ProcessSampler): Promise<void> => {
  if (dev.child.exitCode !== null || dev.child.signalCode !== null) return
  const descendants = sampler.descendants()
  const exited = new Promise(r => dev.child.once("exit", r))
  dev.child.kill("SIGINT")
  const timeout = new Promise(r => setTimeout(r, 30_000, "timeout"))
  if ((await Promise.race([exited, timeout])) === "timeout") {
    for (const pid of [dev.child.pid, ...descendants]) {
      try {
        if (pid) process.kill(pid, "SIGKILL")
      } catch {
        // gone already
      }
    }
    await exited
  }
}

const pct = (a: ProcessSample, b: ProcessSample, field: "cpu" | "childrenCpu"): number =>
  Math.max(0, ((b[field] - a[field]) / ((b.at - a.at) / 1000)) * 100)
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024)

/** One phase: start, wait for "desk ready", idle, sample; rows per minute and a summary. */
const phase = async (name: string, dataDir: string): Promise<Row[]> => {
  const t0 = Date.now()
  const dev = await startDev(dataDir)
  const sampler = new ProcessSampler(dev.child.pid ?? 0)
  try {
    await dev.ready
    progress(`${name}: ready after ${Math.round((Date.now() - t0) / 1000)} s; idling ${MINUTES} min`)
    const refusalsAtReady = dev.refusals
    const samples: ProcessSample[] = []
    const first = sampler.sample()
    if (first) samples.push(first)
    const end = Date.now() + MINUTES * 60_000
    while (Date.now() < end) {
      await new Promise(r => setTimeout(r, SAMPLE_MS))
      const s = sampler.sample()
      if (!s) throw new Error("vetsync dev exited while idle")
      samples.push(s)
    }
    const rows: Row[] = []
    const since = (s: ProcessSample) => s.at - samples[0]!.at
    for (let m = 0; m < MINUTES; m++) {
      const inMinute = samples.filter(s => since(s) >= m * 60_000 && since(s) <= (m + 1) * 60_000)
      const a = inMinute[0]
      const b = inMinute[inMinute.length - 1]
      if (!a || !b || a === b) continue
      const windows = inMinute.slice(1).map((s, i) => pct(inMinute[i]!, s, "cpu"))
      rows.push({
        phase: name,
        minute: m + 1,
        "dev CPU %": pct(a, b, "cpu"),
        "max 5 s CPU %": Math.max(...windows),
        "PostgreSQL etc. CPU %": pct(a, b, "childrenCpu"),
        "dev RSS MB": mb(b.rss),
        "PostgreSQL etc. RSS MB": mb(b.childrenRss),
      })
    }
    const afterFirst = samples.filter(s => since(s) >= 60_000)
    const a = afterFirst[0]
    const b = afterFirst[afterFirst.length - 1]
    const cpu = a && b && a !== b ? pct(a, b, "cpu") : Number.NaN
    rows.push({
      phase: name,
      minute: "after the 1st",
      "dev CPU %": cpu,
      "dev RSS MB": b ? `${mb(a?.rss ?? 0)} → ${mb(b.rss)}` : "",
      refusals: dev.refusals,
      "refusals while idle": dev.refusals - refusalsAtReady,
      "error lines": dev.errors,
      verdict: dev.refusals === 0 && cpu < TARGET_CPU ? "meets target" : `MISSES target (<${TARGET_CPU} %, 0 refusals)`,
    })
    return rows
  } finally {
    await stopDev(dev, sampler)
  }
}

export const benchmark: Benchmark = {
  name: "idle",
  description: `\`vetsync dev\` left idle (fresh, then restarted on its data), ${MINUTES} min each after "desk ready": CPU % of one core, RSS, refusals. Target: 0 refusals, < ${TARGET_CPU} % after the first minute.`,
  async run(): Promise<Row[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "vetsync-idle-"))
    try {
      const data = path.join(dir, "data")
      return [...(await phase("fresh", data)), ...(await phase("restarted", data))]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
