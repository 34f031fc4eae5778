import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { openDeskLog } from "@vetsync/shared/log"
import { eventually, freePort, productEnv, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"

const children: ChildProcess[] = []
const tmp = (name: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `vetsync-logs-${name}-`))

/** `vetsync ...` as its own process; what it wrote to stdout so far */
const start = (args: string[], env: Record<string, string>): { out: () => string; child: ChildProcess } => {
  const base = productEnv(env)
  delete base.DATABASE_URL
  const child = spawn(process.execPath, [CLI, ...args], { env: base, stdio: ["ignore", "pipe", "pipe"] })
  children.push(child)
  let out = ""
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()))
  return { out: () => out, child }
}

/** Every line that is a JSON object (each must be one: a line that is not fails the caller's check). */
const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split("\n")
    .filter(l => l.trim() !== "")
    .map(l => JSON.parse(l) as Record<string, unknown>)

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.pid === undefined) continue
    const gone = new Promise(resolve => c.once("close", resolve))
    c.kill("SIGTERM")
    await gone
  }
})

describe("structured logs", () => {
  it("a relay run as its own process writes JSON lines with level, time, clinic and desk for a refused desk", async () => {
    const port = await freePort()
    const relay = start(["server"], { PORT: String(port), VETSYNC_DATA_DIR: tmp("relay"), VETSYNC_LOG_FORMAT: "json" })
    await eventually("the relay answers /health", async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 30_000)
    // desk d-7 of clinic c1 asks for clinic c2's heads: refused
    const res = await fetch(`http://127.0.0.1:${port}/clinics/c2/heads`, {
      headers: { "x-vetsync-clinic": "c1", "x-vetsync-desk": "d-7" },
    })
    expect(res.status).toBe(403)
    const refusal = await eventually(
      "the refusal's line",
      () => jsonLines(relay.out()).find(l => l.desk === "d-7"),
      10_000,
    )
    expect(refusal).toMatchObject({ level: "warn", clinic: "c1", desk: "d-7", name: "relay" })
    expect(new Date(String(refusal.time)).getTime()).toBeGreaterThan(Date.now() - 60_000)
    expect(String(refusal.msg)).toContain("c2")
    // every line it wrote is JSON with a level and a time
    for (const line of jsonLines(relay.out())) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String) })
  })

  it("a desk process writes JSON lines into the log file of its data directory", async () => {
    const dataDir = tmp("desk")
    const desk = start(["desk", "--data-dir", dataDir, "--clinic", "c1", "--desk-id", "d-1", "--port", "0"], {
      VETSYNC_LOG_FORMAT: "json",
    })
    const file = path.join(dataDir, "logs", "desk.1.log")
    const lines = await eventually(
      `a line in ${file} (desk output: ${desk.out().slice(-500)})`,
      () => (fs.existsSync(file) ? jsonLines(fs.readFileSync(file, "utf8")) : []).find(l => String(l.msg).includes("open http")),
      60_000,
    )
    expect(lines).toMatchObject({ level: "info", name: "desk", time: expect.any(String) })
  })

  it("rotates the desk's log file past its size and keeps a bounded number of files", async () => {
    const dataDir = tmp("roll")
    const log = await openDeskLog({ dataDir, size: "1k", keep: 2, level: "info", format: "json", stream: { write: () => undefined } })
    const dir = path.join(dataDir, "logs")
    const numbers = (): number[] =>
      fs
        .readdirSync(dir)
        .map(f => /^desk\.(\d+)\.log$/.exec(f)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
    const logger = log.logger.child({ clinic: "c1", desk: "d-1" })
    const written = (i: number): boolean =>
      numbers().some(n => fs.readFileSync(path.join(dir, `desk.${n}.log`), "utf8").includes(`line ${i} `))
    // as a desk logs: a few lines at a time (pino-roll rotates when its stream drains)
    for (let i = 0; i < 300; i++) {
      logger.info(`line ${i} ${"x".repeat(60)}`)
      if (i % 10 === 9) await eventually(`line ${i} on disk`, () => written(i), 5_000)
    }
    // past 1 KiB a new file begins; files beyond the current one and 2 older are removed
    await eventually("rotated files, the oldest removed", () => numbers().length <= 3 && Math.max(...numbers()) >= 5, 10_000)
    log.close()
    expect(numbers().length).toBeLessThanOrEqual(3)
    for (const n of numbers()) {
      const text = fs.readFileSync(path.join(dir, `desk.${n}.log`), "utf8")
      for (const line of jsonLines(text)) expect(line).toMatchObject({ level: "info", clinic: "c1", desk: "d-1" })
    }
    // the newest lines are kept, the oldest went with their files
    expect(written(299)).toBe(true)
    expect(written(0)).toBe(false)
  })
})
