import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { PeerId } from "@automerge/automerge-repo"
import { ResilientWebSocketClientAdapter, type RetryEvent } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { eventually, TcpProxy } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"

/**
 * Issue 13: after a long outage the desk must notice the network is back within a couple of
 * seconds, not wait out the ordinary back-off (up to 30 s). A real relay behind a TCP proxy; the
 * desk's adapter with the desk's defaults (DeskCore passes only its headers). The figure itself
 * (network back → desk online) is the system benchmark's; here the schedule is checked exactly and
 * the reconnection with a deadline a loaded machine meets.
 */
describe("a desk whose network comes back", () => {
  const cleanups: (() => unknown)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })
  /** A relay on a scratch directory behind a TCP proxy (the desk's network), closed after the test. */
  const relayBehindProxy = async (): Promise<{ relay: RelayServer; proxy: TcpProxy }> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-heal-"))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const relay = await RelayServer.start({ dataDir: dir, name: "heal" })
    cleanups.push(() => relay.close())
    const proxy = await TcpProxy.start(relay.port)
    cleanups.push(() => proxy.close())
    return { relay, proxy }
  }

  it("keeps probing every ≤ 2 s through a long outage and reconnects soon after heal, not after the 30 s back-off", async () => {
    const { relay, proxy } = await relayBehindProxy()
    const url = `ws://127.0.0.1:${proxy.port}/sync`
    const adapter = new ResilientWebSocketClientAdapter(url, { headers: { "x-vetsync-clinic": "c1", "x-vetsync-desk": "a" } })
    cleanups.push(() => adapter.disconnect())
    const retries: RetryEvent[] = []
    let opens = 0
    adapter.on("retry", e => retries.push(e))
    adapter.on("connection", e => e.state === "open" && opens++)
    adapter.connect("desk:a:heal" as PeerId)
    await eventually("the desk online through the proxy", () => opens === 1, 30_000)

    // the network goes: the open connection is reset, new ones are reset at once
    proxy.drop()
    // a long outage: past attempt 8, where the ordinary back-off is at its 15-30 s ceiling
    await eventually("eight network retries during the outage", () => retries.length >= 8, 60_000)
    const outage = retries.slice(0, 8)
    expect(outage.map(e => e.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(outage.every(e => e.kind === "network")).toBe(true)
    for (const e of outage) {
      expect(e.delayMs).toBeGreaterThanOrEqual(100)
      expect(e.delayMs).toBeLessThanOrEqual(2_000)
    }
    // the next attempt is never more than the network cap away
    const due = adapter.nextAttemptAt
    expect(due).toBeDefined()
    expect(due!).toBeLessThanOrEqual(Date.now() + 2_000)
    // retry 1 followed the reset of the open connection, the others a reset connect each
    expect(proxy.stats.refused).toBeGreaterThanOrEqual(7)

    proxy.heal()
    const healedAt = Date.now()
    await eventually("the desk online again after heal", () => opens === 2, 30_000)
    // no "sync now" here: only the schedule brought it back; it retried at most one network delay after heal
    const last = retries.at(-1)!
    expect(last.kind).toBe("network")
    expect(last.at).toBeLessThanOrEqual(healedAt + 2_000)
    expect(relay.adapter.identityOf("desk:a:heal" as PeerId)).toEqual({ clinicId: "c1", deskId: "a", role: "desk" })
  })

  it("a relay that turns the desk away after the outage gets the long back-off, whatever the network did before", async () => {
    const { proxy } = await relayBehindProxy()
    proxy.drop()
    // no credential headers: the relay answers the upgrade with 401
    const adapter = new ResilientWebSocketClientAdapter(`ws://127.0.0.1:${proxy.port}/sync`, {})
    cleanups.push(() => adapter.disconnect())
    const retries: RetryEvent[] = []
    adapter.on("retry", e => retries.push(e))
    adapter.connect("desk:a:heal" as PeerId)
    await eventually("six network retries", () => retries.length >= 6, 60_000)
    proxy.heal()
    await eventually("the relay's 401 after heal", () => retries.find(e => e.kind === "relay"), 30_000)
    const turnedAway = retries.find(e => e.kind === "relay")!
    expect(adapter.lastError).toMatch(/401/)
    // the shared counter: at attempt ≥ 7 the ordinary back-off is 250 ms * 2^6 = 16 s, half of it random
    expect(turnedAway.attempt).toBeGreaterThanOrEqual(7)
    expect(turnedAway.delayMs).toBeGreaterThanOrEqual(8_000)
    expect(turnedAway.delayMs).toBeLessThanOrEqual(30_000)
  })
})
