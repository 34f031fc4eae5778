import * as net from "node:net"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Message, PeerId } from "@automerge/automerge-repo"
import { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { Backoff, ResilientWebSocketClientAdapter } from "@vetsync/shared"
import type { ConnectionEvent, RetryEvent } from "@vetsync/shared"

/** An adapter with its events recorded. */
const recorded = (url: string, options: ConstructorParameters<typeof ResilientWebSocketClientAdapter>[1] = {}) => {
  const adapter = new ResilientWebSocketClientAdapter(url, options)
  const connection: ConnectionEvent[] = []
  const retries: RetryEvent[] = []
  const peers: string[] = []
  const gone: string[] = []
  adapter.on("connection", e => connection.push(e))
  adapter.on("retry", e => retries.push(e))
  adapter.on("peer-candidate", ({ peerId }) => peers.push(peerId))
  adapter.on("peer-disconnected", ({ peerId }) => gone.push(peerId))
  return { adapter, connection, retries, peers, gone }
}

const freePort = async (): Promise<number> => {
  const s = net.createServer()
  await new Promise<void>(r => s.listen(0, "127.0.0.1", r))
  const { port } = s.address() as net.AddressInfo
  await new Promise(r => s.close(r))
  return port
}

const syncMessage = (targetId: string): Message =>
  ({ type: "sync", senderId: "desk:a:1", targetId, documentId: "x", data: new Uint8Array([1]) }) as unknown as Message

describe("Backoff", () => {
  it("grows exponentially to the ceiling, with jitter, and resets", () => {
    const b = new Backoff({ minMs: 250, maxMs: 30_000, random: () => 0.5 })
    const seq = Array.from({ length: 10 }, () => b.next())
    expect(seq).toEqual([188, 375, 750, 1500, 3000, 6000, 12000, 22500, 22500, 22500])
    b.reset()
    expect(b.next()).toBe(188)
    // with real randomness every delay lies in [base/2, base], base = min(30 s, 250 ms * 2^n),
    // so delays never shrink until the ceiling is reached
    const r = new Backoff({ minMs: 250, maxMs: 30_000 })
    const real = Array.from({ length: 12 }, () => r.next())
    real.forEach((d, n) => {
      const base = Math.min(30_000, 250 * 2 ** n)
      expect(d).toBeGreaterThanOrEqual(Math.floor(base / 2))
      expect(d).toBeLessThanOrEqual(base)
    })
    for (let i = 1; i < 7; i++) expect(real[i]).toBeGreaterThanOrEqual(real[i - 1]!)
  })
})

describe("ResilientWebSocketClientAdapter", () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it("survives ENOTFOUND: reports closed with the error and retries with growing delays", async () => {
    const r = recorded("ws://nonexistent.invalid/sync", { backoff: { minMs: 5, maxMs: 40, random: () => 0.5 } })
    cleanups.push(() => r.adapter.disconnect())
    r.adapter.connect("desk:a:1" as PeerId)
    await eventually("six retries after ENOTFOUND", () => r.retries.length >= 6, 10_000)
    // a DNS failure is a network failure: full jitter (r = 0.5: half the base), at least the
    // network floor (min(100 ms, minMs) = 5), up to the network cap (min(2 s, maxMs) = 40)
    expect(r.retries.slice(0, 6).map(e => e.delayMs)).toEqual([5, 5, 10, 20, 20, 20])
    expect(r.retries.slice(0, 6).map(e => e.attempt)).toEqual([1, 2, 3, 4, 5, 6])
    expect(r.retries.slice(0, 6).map(e => e.kind)).toEqual(Array(6).fill("network"))
    const errors = r.connection.filter(e => e.state === "closed").map(e => e.error ?? "")
    expect(errors[0]).toMatch(/ENOTFOUND|EAI_AGAIN/)
    expect(r.adapter.isReady()).toBe(true)
    expect(r.peers).toEqual([])
  })

  it("survives ECONNRESET from a server that resets the connection", async () => {
    const server = net.createServer(socket => socket.on("data", () => socket.resetAndDestroy()))
    await new Promise<void>(res => server.listen(0, "127.0.0.1", res))
    cleanups.push(() => new Promise<void>(res => server.close(() => res())))
    const { port } = server.address() as net.AddressInfo
    const r = recorded(`ws://127.0.0.1:${port}/sync`, { backoff: { minMs: 5, maxMs: 20 } })
    cleanups.push(() => r.adapter.disconnect())
    r.adapter.connect("desk:a:1" as PeerId)
    await eventually("three retries after ECONNRESET", () => r.retries.length >= 3, 10_000)
    const errors = r.connection.filter(e => e.state === "closed").map(e => e.error ?? "")
    expect(errors.some(e => /ECONNRESET|socket hang up/.test(e))).toBe(true)
  })

  it("drops send() on a socket that is not open instead of throwing", async () => {
    // a refused TCP connection is a network failure: its own cap, as long here as the back-off
    const r = recorded("ws://127.0.0.1:9/sync", { backoff: { minMs: 60_000, random: () => 0.5 }, networkMaxMs: 60_000 })
    expect(() => r.adapter.send(syncMessage("relay:x"))).not.toThrow()
    r.adapter.connect("desk:a:1" as PeerId)
    cleanups.push(() => r.adapter.disconnect())
    expect(() => r.adapter.send(syncMessage("relay:x"))).not.toThrow()
    await eventually("the first retry after the refused connection", () => r.retries.length === 1, 10_000)
    expect(() => r.adapter.send(syncMessage("relay:x"))).not.toThrow()
  })

  it("connects with credential headers, announces the relay, reports its loss, and connectNow skips the back-off", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-client-net-"))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const port = await freePort()
    const headers = { "x-vetsync-clinic": "c1", "x-vetsync-desk": "a" }
    // back-off far longer than any test: only connectNow() can connect in time
    const r = recorded(`ws://127.0.0.1:${port}/sync`, {
      headers,
      backoff: { minMs: 3_600_000, maxMs: 3_600_000, random: () => 0.5 },
      networkMaxMs: 3_600_000,
      healthyAfterMs: 50,
    })
    cleanups.push(() => r.adapter.disconnect())
    r.adapter.connect("desk:a:run1" as PeerId, { isEphemeral: true })
    await eventually("the first retry while no relay listens", () => r.retries.length === 1, 10_000)
    expect(r.connection.at(-1)).toMatchObject({ state: "closed", error: expect.stringMatching(/ECONNREFUSED/) })

    const relay = await RelayServer.start({ dataDir: dir, port, name: "net" })
    r.adapter.connectNow()
    await eventually("the relay to be announced after connectNow()", () => r.peers.length === 1, 10_000)
    expect(r.peers).toEqual(["relay:net"])
    expect(r.adapter.remotePeerId).toBe("relay:net")
    expect(r.connection.at(-1)).toEqual({ state: "open" })
    expect(relay.adapter.identityOf("desk:a:run1" as PeerId)).toEqual({ clinicId: "c1", deskId: "a", role: "desk" })
    // the connection stays up longer than healthyAfterMs: it counts as healthy
    await new Promise(r => setTimeout(r, 150))

    await relay.close()
    await eventually("the relay's loss to be reported after it closed", () => r.gone.length === 1, 10_000)
    expect(r.gone).toEqual(["relay:net"])
    expect(r.connection.at(-1)?.state).toBe("closed")
    expect(() => r.adapter.send(syncMessage("relay:net"))).not.toThrow()
    // the connection that stayed healthy reset the back-off: attempt 1 again
    expect(r.retries.at(-1)?.attempt).toBe(1)
  })

  it("reports a refused upgrade (401) as an error without throwing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-client-net-"))
    const relay = await RelayServer.start({ dataDir: dir })
    cleanups.push(async () => {
      await relay.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    const r = recorded(relay.syncUrl, { backoff: { minMs: 5, maxMs: 10 } })
    cleanups.push(() => r.adapter.disconnect())
    r.adapter.connect("desk:a:1" as PeerId)
    await eventually("two retries after the refused upgrade (401)", () => r.retries.length >= 2, 10_000)
    expect(r.connection.find(e => e.state === "closed")?.error).toMatch(/401/)
    // the relay answered: the ordinary back-off, not the network's short one
    expect(r.retries.every(e => e.kind === "relay")).toBe(true)
    expect(r.peers).toEqual([])
  })

  it("reports the relay's refusal of a spoofed peer id", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-client-net-"))
    const relay = await RelayServer.start({ dataDir: dir })
    cleanups.push(async () => {
      await relay.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    const r = recorded(`${relay.syncUrl}?clinic=c1&desk=a`, {
      backoff: { minMs: 5, maxMs: 10 },
      refusedBackoff: { minMs: 5, maxMs: 10 },
    })
    cleanups.push(() => r.adapter.disconnect())
    r.adapter.connect("desk:b:1" as PeerId)
    await eventually("two retries after the relay refused the spoofed peer id", () => r.retries.length >= 2, 10_000)
    expect(r.adapter.lastError ?? r.connection.at(-1)?.error).toMatch(/does not belong/)
    // a refusal (error frame, then close 1008) is reported as such
    expect(r.adapter.refused).toMatch(/does not belong/)
    expect(r.retries.every(e => e.kind === "refused")).toBe(true)
    expect(r.peers).toEqual([])
  })

  it("drops and re-establishes a connection that went silent without closing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-client-net-"))
    const relay = await RelayServer.start({ dataDir: dir })
    // a proxy that can stop forwarding bytes without closing anything (a dead Wi-Fi link)
    let frozen = false
    const sockets: net.Socket[] = []
    const proxy = net.createServer(c => {
      const u = net.connect(relay.port, "127.0.0.1")
      sockets.push(c, u)
      c.on("data", d => void (frozen || u.write(d)))
      u.on("data", d => void (frozen || c.write(d)))
      c.on("error", () => u.destroy())
      u.on("error", () => c.destroy())
      c.on("close", () => u.destroy())
      u.on("close", () => c.destroy())
    })
    await new Promise<void>(r => proxy.listen(0, "127.0.0.1", r))
    cleanups.push(async () => {
      for (const s of sockets) s.destroy()
      await new Promise(r => proxy.close(r))
      await relay.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    const { port } = proxy.address() as net.AddressInfo
    const r = recorded(`ws://127.0.0.1:${port}/sync?clinic=c1&desk=a`, {
      idleTimeoutMs: 200,
      probeGraceMs: 1000,
      // an attempt made while the link is still frozen must not hang forever
      handshakeTimeoutMs: 300,
      backoff: { minMs: 5, maxMs: 10 },
    })
    cleanups.push(() => r.adapter.disconnect())
    r.adapter.connect("desk:a:1" as PeerId)
    await eventually("the relay to be announced through the proxy", () => r.peers.length === 1, 10_000)
    frozen = true
    await eventually("the silent connection to be dropped (no answer to the probe)", () => r.gone.length === 1, 10_000)
    expect(r.connection.find(e => e.state === "closed")?.error).toMatch(/silent/)
    frozen = false
    await eventually("the relay to be announced again once the link thawed", () => r.peers.length === 2, 10_000)
    expect(r.adapter.state).toBe("open")
  })
})
