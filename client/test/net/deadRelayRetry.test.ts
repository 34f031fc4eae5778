import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import type { PeerId } from "@automerge/automerge-repo"
import { DEAD_RELAY_RETRY, ResilientWebSocketClientAdapter, type RetryEvent } from "@vetsync/shared/net"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"

const fronts: http.Server[] = []
const adapters: ResilientWebSocketClientAdapter[] = []

afterEach(async () => {
  for (const a of adapters.splice(0)) a.disconnect()
  await Promise.all(fronts.splice(0).map(f => new Promise(resolve => f.close(resolve))))
})

/** A shared address whose every upgrade is sent (307) to `location`, counting the upgrades. */
const redirectingFront = async (location: string): Promise<{ url: string; asked: () => number }> => {
  let asked = 0
  const front = http.createServer()
  front.on("upgrade", (_req, socket: Duplex) => {
    asked++
    socket.end(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${location}\r\nConnection: close\r\n\r\n`)
  })
  await new Promise<void>(resolve => front.listen(0, "127.0.0.1", resolve))
  fronts.push(front)
  return { url: `ws://127.0.0.1:${(front.address() as AddressInfo).port}/sync?clinic=c1`, asked: () => asked }
}

const started = (url: string): RetryEvent[] => {
  // the ordinary back-off is slow here: a retry at the dead relay's pace cannot be it
  const adapter = new ResilientWebSocketClientAdapter(url, { backoff: { minMs: 20_000, maxMs: 60_000 } })
  adapters.push(adapter)
  const retries: RetryEvent[] = []
  adapter.on("retry", e => retries.push(e))
  adapter.connect("desk:d1:x" as PeerId)
  return retries
}

describe("a desk sent to a relay that refuses the connection (a dead holder of its clinic's lease)", () => {
  it("comes back through the shared address within DEAD_RELAY_RETRY's ceiling, again and again, with jitter", async () => {
    const dead = await freePort()
    const front = await redirectingFront(`ws://127.0.0.1:${dead}/sync`)
    const retries = started(front.url)
    await eventually("four round trips shared address → dead relay", () => front.asked() >= 4, 15_000)
    const delays = retries.slice(0, 3).map(r => r.delayMs)
    for (const d of delays) expect(d).toBeLessThanOrEqual(DEAD_RELAY_RETRY.maxMs ?? 0)
    expect(delays.every(d => d > 0)).toBe(true)
  })

  it("but a shared address that refuses itself is retried at the network pace (ReconnectSchedule), not the dead relay's", async () => {
    const retries = started(`ws://127.0.0.1:${await freePort()}/sync?clinic=c1`)
    await eventually("the first retry scheduled", () => retries.length >= 1, 10_000)
    // nothing answered: a network failure, retried within the network cap (2 s by default)
    expect(retries[0]?.kind).toBe("network")
    expect(retries[0]?.delayMs).toBeLessThanOrEqual(2_000)
  })

  it("and a redirect answered with a refusal (not a dead relay) is retried at the ordinary back-off", async () => {
    // the relay named answers, but not with a socket: alive, and not letting this desk in
    const alive = http.createServer()
    alive.on("upgrade", (_req, socket: Duplex) => socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n"))
    await new Promise<void>(resolve => alive.listen(0, "127.0.0.1", resolve))
    fronts.push(alive)
    const front = await redirectingFront(`ws://127.0.0.1:${(alive.address() as AddressInfo).port}/sync`)
    const retries = started(front.url)
    await eventually("the first retry scheduled", () => retries.length >= 1, 10_000)
    expect(retries[0]?.kind).toBe("relay")
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(10_000)
    expect(front.asked()).toBe(1)
  })
})
