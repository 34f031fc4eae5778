import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { eventually, SupervisedProcess } from "@vetsync/test-kit"

describe("SupervisedProcess", () => {
  const dir = mkdtempSync(join(tmpdir(), "vetsync-supervised-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("logs every start to one file, kills with -9, starts again, and tells expected exits from crashes", async () => {
    const p = new SupervisedProcess({
      name: "sleeper",
      command: process.execPath,
      args: ["-e", "console.log('up ' + process.argv[1]); setInterval(() => {}, 1000)"],
      logFile: join(dir, "sleeper.log"),
    })
    p.start(["first"])
    await eventually("the first start to log", () => p.logOfThisStart().includes("up first"), 10_000)
    await p.kill9()
    expect(p.running).toBe(false)
    expect(p.exits[0]).toMatchObject({ signal: "SIGKILL", expected: true })
    p.start(["second"])
    await eventually("the second start to log", () => p.logOfThisStart().includes("up second"), 10_000)
    expect(p.logOfThisStart()).not.toContain("up first")
    expect(p.log()).toMatch(/start #1[\s\S]*up first[\s\S]*start #2[\s\S]*up second/)
    process.kill(p.pid ?? 0, "SIGKILL")
    await eventually("the crash to be seen", () => !p.running, 10_000)
    expect(p.exits[1]).toMatchObject({ expected: false })
    p.start(["third"])
    await p.stop()
    expect(p.exits[2]).toMatchObject({ expected: true })
  })
})
