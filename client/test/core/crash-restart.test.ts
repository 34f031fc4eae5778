import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { clientShardKey, readRecord } from "@vetsync/shared"
import type { DeskCore } from "../../src/index.js"
import { eventually } from "@vetsync/test-kit"
import { openDesk, tmpDir } from "./fixtures.js"

const here = path.dirname(fileURLToPath(import.meta.url))
/** nothing listens here: the desk is offline */
const DEAD_RELAY = "ws://127.0.0.1:9/sync"

describe("crash and restart", () => {
  const open: DeskCore[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
  })

  it("kill -9 in the middle of writing loses no acknowledged edit, and the waiting count is right before the relay answers", async () => {
    const dataDir = path.join(tmpDir("crash"), "desk")
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(here, "writer-child.ts"), dataDir, DEAD_RELAY],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    )
    const acked: string[] = []
    let buf = ""
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split("\n")
      buf = lines.pop() ?? ""
      for (const l of lines) if (l.startsWith("ACK ")) acked.push(l.slice(4))
    })
    await eventually("the child desk to acknowledge 40 writes", () => acked.length >= 40, 60_000)
    child.kill("SIGKILL")
    await new Promise(r => child.once("exit", r))
    const ackedNow = [...acked]

    const desk = await openDesk(dataDir, DEAD_RELAY, "desk-crash", "C")
    open.push(desk)
    // before any document is loaded, the read model already knows the acknowledged clients
    await desk.ready
    for (const id of ackedNow) {
      const handle = await desk.docs.open(clientShardKey(id))
      expect(readRecord(handle.doc(), "clients", id), `client ${id} in its document`).toBeDefined()
      expect(await desk.call("clients.get", { id }), `client ${id} in the read model`).not.toBeNull()
    }
    // every client on disk is waiting (the relay never saw one), and the count says so
    await eventually(
      "the read model to count every client on disk as waiting",
      async () => {
        const counts = desk.rm.counts()
        const s = await desk.call("status", undefined)
        return s.waitingRecords === counts.clients
      },
      45_000,
    )
    const s = await desk.call("status", undefined)
    expect(s.online).toBe(false)
    expect(s.waitingRecords).toBeGreaterThanOrEqual(ackedNow.length)
    expect(s.waitingRecords).toBeLessThanOrEqual(ackedNow.length + 1)
  })

  it("a desk restarted offline answers a search from its read model before loading any document", async () => {
    const dataDir = path.join(tmpDir("offline-restart"), "desk")
    const first = await openDesk(dataDir, DEAD_RELAY, "desk-r")
    const { client } = await first.call("clients.create", {
      name: "Кузнецова Анна",
      phone: "+79165550000",
      patients: [{ name: "Барсик", species: "кот" }],
    })
    await first.close()

    const desk = await openDesk(dataDir, DEAD_RELAY, "desk-r")
    open.push(desk)
    const loadedBefore = desk.docs.openHandles().length
    const hits = await desk.call("clients.search", { query: "барсик" })
    expect(loadedBefore).toBe(0)
    expect(desk.docs.openHandles().length).toBe(0)
    expect(hits.map(h => h.id)).toEqual([client.id])
    expect(hits[0]?.patients.map(p => p.name)).toEqual(["Барсик"])
    expect((await desk.call("status", undefined)).waitingRecords).toBe(2)
  })
})
