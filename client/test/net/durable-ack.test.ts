import { spawn, type ChildProcess } from "node:child_process"
import { createServer } from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import type { DeskCore } from "../../src/index.js"
import { CLINIC, openDesk, tmpDir } from "../core/fixtures.js"

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../cli/vetsync.mjs")

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

/** The relay as its own process (`vetsync server`), so it can be killed with -9. */
const startRelayProcess = async (dataDir: string, port: number): Promise<ChildProcess> => {
  const child = spawn(process.execPath, [CLI, "server"], {
    env: { ...process.env, PORT: String(port), VETSYNC_DATA_DIR: dataDir, VETSYNC_CLINICS: CLINIC },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let out = ""
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()))
  await eventually(`the relay on port ${port} to listen`, () => out.includes("listening on"), 60_000, {
    describe: () => out.slice(-500),
  })
  return child
}

const kill9 = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(r => child.once("exit", r))
  child.kill("SIGKILL")
  await exited
}

describe("acknowledged means durable on the relay", () => {
  const open: DeskCore[] = []
  const children: ChildProcess[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
    for (const c of children.splice(0)) await kill9(c)
  })

  it("a record the desk counts as synced survives kill -9 of the relay the moment the count reaches 0", async () => {
    const dir = tmpDir("durable")
    const relayDir = path.join(dir, "relay")
    const port = await freePort()
    const url = `ws://127.0.0.1:${port}/sync`
    children.push(await startRelayProcess(relayDir, port))

    const a = await openDesk(path.join(dir, "desk-a"), url, "desk-a")
    open.push(a)
    await eventually("desk A to be online", () => a.sync.online, 60_000)

    const ids: string[] = []
    for (let round = 0; round < 3; round++) {
      // a burst of edits, then the relay dies the instant the desk says nothing is waiting
      for (let i = 0; i < 5; i++) {
        const { client } = await a.call("clients.create", { name: `Клиент ${round}-${i}`, phone: `+7900000${round}${i}00` })
        ids.push(client.id)
      }
      await eventually(
        `desk A to count round ${round}'s clients as synced`,
        () => a.sync.waitingRecords() === 0,
        60_000,
        { pollMs: 1, describe: () => `waiting ${a.sync.waitingRecords()}` },
      )
      const relay = children.pop()
      if (relay) await kill9(relay)
      children.push(await startRelayProcess(relayDir, port))
    }

    // a fresh desk knows only what the relay kept on disk
    const b = await openDesk(path.join(dir, "desk-b"), url, "desk-b")
    open.push(b)
    await eventually(
      "desk B to hold every client desk A counted as synced",
      async () => {
        for (const id of ids) if (!(await b.call("clients.get", { id }))) return false
        return true
      },
      150_000,
      {
        describe: async () => {
          const missing: string[] = []
          for (const id of ids) if (!(await b.call("clients.get", { id }))) missing.push(id)
          return `${missing.length} of ${ids.length} missing on desk B`
        },
      },
    )
    expect(ids).toHaveLength(15)
  }, 300_000)
})

describe("a relay that dies before it stored what it received", () => {
  const open: DeskCore[] = []
  const children: ChildProcess[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
    for (const c of children.splice(0)) await kill9(c)
  })

  it("gets it again from the desk, which keeps counting it as waiting until then", async () => {
    const dir = tmpDir("relay-loses")
    const relayDir = path.join(dir, "relay")
    const port = await freePort()
    const url = `ws://127.0.0.1:${port}/sync`
    children.push(await startRelayProcess(relayDir, port))
    const a = await openDesk(path.join(dir, "desk-a"), url, "desk-a")
    open.push(a)
    await eventually("desk A to be online", () => a.sync.online, 60_000)
    const ids: string[] = []
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 5; i++) {
        const { client } = await a.call("clients.create", { name: `Клиент ${round}-${i}`, phone: `+7911000${round}${i}00` })
        ids.push(client.id)
      }
      // killed while the last writes are in flight: the relay may have them in memory only
      const relay = children.pop()
      if (relay) await kill9(relay)
      children.push(await startRelayProcess(relayDir, port))
    }
    await eventually("desk A to have nothing waiting", () => a.sync.online && a.sync.waitingRecords() === 0, 150_000, {
      describe: () => `online ${a.sync.online}, waiting ${a.sync.waitingRecords()}`,
    })
    const b = await openDesk(path.join(dir, "desk-b"), url, "desk-b")
    open.push(b)
    await eventually(
      "desk B to hold every client desk A wrote",
      async () => {
        for (const id of ids) if (!(await b.call("clients.get", { id }))) return false
        return true
      },
      150_000,
      {
        describe: async () => {
          const missing: string[] = []
          for (const id of ids) if (!(await b.call("clients.get", { id }))) missing.push(id)
          return `${missing.length} of ${ids.length} missing on desk B`
        },
      },
    )
    expect(a.sync.waitingRecords(), "records still waiting on desk A").toBe(0)
    const names = await Promise.all(ids.map(async id => (await b.call("clients.get", { id }))?.client.name))
    expect(names).toEqual(ids.map((_, i) => `Клиент ${Math.floor(i / 5)}-${i % 5}`))
  }, 300_000)
})
