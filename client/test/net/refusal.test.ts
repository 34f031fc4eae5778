import * as path from "node:path"
import { cbor, type PeerId } from "@automerge/automerge-repo"
import { ResilientWebSocketClientAdapter, type ConnectionEvent, type RetryEvent } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { WebSocketServer, type WebSocket } from "ws"
import { DeskCore } from "../../src/index.js"
import { CLINIC, tmpDir } from "../core/fixtures.js"

const REASON = "invalid sync message: entry 0: chunk 0: bad checksum (change)"

/**
 * A relay stand-in speaking the websocket protocol: it answers a join, then either refuses the
 * first document message the way the real relay does (an `error` frame, then close 1008) or
 * swallows everything and never acknowledges (a relay that stalls).
 */
class FakeRelay {
  readonly wss: WebSocketServer
  connections = 0
  readonly sockets = new Set<WebSocket>()
  private constructor(readonly mode: "refuse" | "stall") {
    this.wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
    this.wss.on("connection", ws => {
      this.connections++
      this.sockets.add(ws)
      ws.on("close", () => this.sockets.delete(ws))
      ws.on("message", (data: Buffer) => {
        const m = cbor.decode<{ type: string; senderId: string }>(new Uint8Array(data))
        if (m.type === "join") {
          ws.send(cbor.encode({ type: "peer", senderId: "relay:main", targetId: m.senderId, peerMetadata: {}, selectedProtocolVersion: "1" }))
          return
        }
        if (this.mode === "refuse") {
          ws.send(cbor.encode({ type: "error", senderId: "relay:main", targetId: m.senderId, message: REASON }))
          ws.close(1008, "refused")
        }
      })
    })
  }
  static async start(mode: "refuse" | "stall"): Promise<FakeRelay> {
    const relay = new FakeRelay(mode)
    await new Promise<void>(r => relay.wss.once("listening", () => r()))
    return relay
  }
  get url(): string {
    const { port } = this.wss.address() as { port: number }
    return `ws://127.0.0.1:${port}/sync`
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.terminate()
    return new Promise(r => this.wss.close(() => r()))
  }
}

describe("a refused desk", () => {
  const cleanups: (() => unknown)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it("is told why once and backs off for a minute instead of reconnecting every few hundred ms; sync now retries at once", async () => {
    const relay = await FakeRelay.start("refuse")
    cleanups.push(() => relay.close())
    const adapter = new ResilientWebSocketClientAdapter(relay.url, { backoff: { minMs: 50, maxMs: 200 } })
    cleanups.push(() => adapter.disconnect())
    const connection: ConnectionEvent[] = []
    const retries: RetryEvent[] = []
    adapter.on("connection", e => connection.push(e))
    adapter.on("retry", e => retries.push(e))
    adapter.on("peer-candidate", ({ peerId }) =>
      // the desk's repo answers the relay's peer with a document message: the fake relay refuses it
      adapter.send({ type: "sync", senderId: "desk:a:1" as PeerId, targetId: peerId, documentId: "x", data: new Uint8Array([1]) } as never),
    )
    adapter.connect("desk:a:1" as PeerId)
    await eventually("the refusal to be reported", () => connection.find(e => e.refused !== undefined), 10_000)
    expect(connection.find(e => e.refused !== undefined)?.refused).toBe(REASON)
    expect(adapter.refused).toBe(REASON)
    expect(retries.at(-1)?.delayMs).toBeGreaterThanOrEqual(30_000)
    expect(adapter.nextAttemptAt).toBeGreaterThan(Date.now() + 25_000)
    // with the ordinary back-off (50-200 ms) it would have reconnected several times by now
    const seen = relay.connections
    await new Promise(r => setTimeout(r, 1500))
    expect(relay.connections).toBe(seen)
    adapter.connectNow()
    await eventually("sync now to reconnect at once", () => relay.connections === seen + 1, 5000)
  })

  it("turns the desk red with the relay's reason and the time of the next attempt", async () => {
    const relay = await FakeRelay.start("refuse")
    cleanups.push(() => relay.close())
    const desk = await DeskCore.open({
      dataDir: path.join(tmpDir("refused"), "desk"),
      server: relay.url,
      clinicId: CLINIC,
      deskId: "desk-r",
      deskCode: "R",
    })
    cleanups.push(() => desk.close())
    await desk.call("clients.create", { name: "Иванова Мария", phone: "+79161234567" })
    const status = await eventually(
      "the desk to report the refusal",
      async () => {
        const s = await desk.call("status", undefined)
        return s.problem?.code === "refused" ? s : false
      },
      20_000,
    )
    expect(status.state).toBe("error")
    expect(status.problem?.detail).toBe(REASON)
    expect(status.problem?.retryAt).not.toBeNull()
    expect(status.waitingRecords).toBeGreaterThan(0)
    // the sync-now button says what it did
    const now = await desk.call("sync.now", undefined)
    expect(now.outcome).toBe("connecting")
  })
})

describe("a desk whose records are not acknowledged", () => {
  const cleanups: (() => unknown)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it("is syncing (blue) at first and red after 30 s online without progress", async () => {
    const relay = await FakeRelay.start("stall")
    cleanups.push(() => relay.close())
    let skew = 0
    const desk = await DeskCore.open({
      dataDir: path.join(tmpDir("stalled"), "desk"),
      server: relay.url,
      clinicId: CLINIC,
      deskId: "desk-s",
      deskCode: "S",
      now: () => new Date(Date.now() + skew),
    })
    cleanups.push(() => desk.close())
    await eventually("the desk to be online", () => desk.sync.online, 10_000)
    await desk.call("clients.create", { name: "Петров Пётр", phone: "+79167654321" })
    const before = await desk.call("status", undefined)
    expect(before.state).toBe("syncing")
    expect(before.problem).toBeNull()
    skew = 31_000
    const after = await desk.call("status", undefined)
    expect(after.state).toBe("error")
    expect(after.problem?.code).toBe("stalled")
    expect(after.problem?.retryAt).toBeNull()
    expect((await desk.call("sync.now", undefined)).outcome).toBe("sending")
  })

  it("says what sync now can do without a relay", async () => {
    const desk = await DeskCore.open({ dataDir: path.join(tmpDir("alone"), "desk"), clinicId: CLINIC, deskId: "desk-x", deskCode: "X" })
    cleanups.push(() => desk.close())
    expect((await desk.call("sync.now", undefined)).outcome).toBe("no-server")
  })
})
