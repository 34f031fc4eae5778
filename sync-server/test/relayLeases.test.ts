import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { PostgresStorageAdapter } from "@vetsync/db"
import { docIdFor } from "@vetsync/shared"
import { useTestDatabase } from "@vetsync/db/testing"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared/net"
import { eventually } from "@vetsync/test-kit"
import { WebSocket } from "ws"
import { afterEach, describe, expect, it } from "vitest"
import { IndexedStorage } from "../src/IndexedStorage.js"
import { PgOwnershipStore } from "../src/PgOwnershipStore.js"
import { RelayServer } from "../src/RelayServer.js"
import { closed, makeTemp, rawSocket, rmTemp, syncUrlOf } from "./support.js"

const db = useTestDatabase({ prefix: "relayleases" })
const started: RelayServer[] = []
const temps: string[] = []

/** A relay on the test's PostgreSQL, as `VETSYNC_RELAY_STORAGE=postgres` starts one: documents, ownership, leases. */
const relay = async (name: string, renewMs = 400): Promise<RelayServer> => {
  const dir = makeTemp(`relay-${name}`)
  temps.push(dir)
  const r = await RelayServer.start({
    dataDir: dir,
    name,
    documents: await IndexedStorage.open(new PostgresStorageAdapter(db.pool)),
    ownership: new PgOwnershipStore(db.pool),
    leases: { pool: db.pool, relayId: name, ttlMs: 1_500, renewMs },
    idleUnloadMs: 0,
  })
  started.push(r)
  return r
}

/** The upgrade's answer: the socket when it opened, else the HTTP status and Location. */
const upgrade = (url: string): Promise<{ ws?: WebSocket; status?: number; location?: string }> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once("open", () => resolve({ ws }))
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode, location: res.headers.location })
      res.resume()
      ws.terminate()
    })
    ws.once("error", e => reject(e))
  })

afterEach(async () => {
  await Promise.all(started.splice(0).map(r => r.close()))
  for (const dir of temps.splice(0)) rmTemp(dir)
  await db.pool.query("TRUNCATE clinic_leases, relay_clinics, relay_doc_owners, automerge_chunks")
})

describe("relays sharing PostgreSQL under clinic leases", () => {
  it("serves a clinic on the relay that took its lease and sends its other desks there (307)", async () => {
    const a = await relay("a")
    const b = await relay("b")
    const first = await rawSocket(syncUrlOf(a, "c1", "d1"))
    expect(a.leases?.holds("c1")).toBe(true)
    const sent = await upgrade(syncUrlOf(b, "c1", "d2"))
    expect(sent).toEqual({ status: 307, location: a.syncUrl })
    // another clinic is b's to take
    const other = await upgrade(syncUrlOf(b, "c2", "d3"))
    expect(other.ws?.readyState).toBe(WebSocket.OPEN)
    expect(b.leases?.held).toEqual(["c2"])
    // a service (the bridge) sees every clinic on every relay
    const service = await upgrade(syncUrlOf(b, "*", "bridge", "service"))
    expect(service.ws?.readyState).toBe(WebSocket.OPEN)
    for (const ws of [first, other.ws, service.ws]) ws?.close()
  })

  it("a desk's adapter follows the redirect to the holder, and back through the shared address when it stops", async () => {
    const a = await relay("a")
    const b = await relay("b")
    const holder = await rawSocket(syncUrlOf(a, "c1", "d1"))
    const adapter = new ResilientWebSocketClientAdapter(syncUrlOf(b, "c1", "d2"), { backoff: { minMs: 50, maxMs: 200 } })
    const joined: string[] = []
    adapter.on("peer-candidate", ({ peerId }) => joined.push(peerId))
    adapter.connect("desk:d2:x" as PeerId)
    await eventually("the desk joined relay a through b's redirect", () => joined.includes(a.peerId), 10_000)
    expect(adapter.target).toBe(`${a.syncUrl}?clinic=c1&desk=d2&role=desk`)
    holder.close()
    // a stops cleanly: it releases c1, and the desk comes back through b, which takes it
    await a.close()
    await eventually("the desk joined relay b", () => joined.includes(b.peerId), 10_000)
    expect(b.leases?.holds("c1")).toBe(true)
    adapter.disconnect()
  })

  it("a service naming a clinic is served like its desks: sent to the holder, that clinic's documents only, cut off when the lease moves", async () => {
    const a = await relay("a", 60_000)
    const b = await relay("b")
    // a holds c1 and c2
    const desks = [await rawSocket(syncUrlOf(a, "c1", "d1")), await rawSocket(syncUrlOf(a, "c2", "d2"))]
    expect(await upgrade(syncUrlOf(b, "c1", "bridge", "service"))).toEqual({ status: 307, location: a.syncUrl })
    // a service naming c1 (the bridge's socket for c1) follows from b to a and is given c1's documents,
    // not c2's; one naming no clinic is let in at a as it asks, and given both
    const peer = (at: RelayServer, clinic: string, tag: string) => {
      const adapter = new ResilientWebSocketClientAdapter(syncUrlOf(at, clinic, "bridge", "service"), { backoff: { minMs: 50, maxMs: 200 } })
      return { adapter, repo: new Repo({ network: [adapter], peerId: `service:bridge:${tag}` as PeerId, sharePolicy: async () => true }) }
    }
    const named = peer(b, "c1", "named")
    const every = peer(a, "*", "every")
    await eventually("the named service joined a", () => named.adapter.remotePeerId === a.peerId, 10_000)
    await eventually("the unnamed service joined a", () => every.adapter.remotePeerId === a.peerId, 10_000)
    const found = async (repo: Repo, clinic: string) =>
      (await repo.find(docIdFor(clinic, "root"), { allowableStates: ["ready", "unavailable"] })).isReady()
    expect(await found(named.repo, "c1")).toBe(true)
    expect(await found(named.repo, "c2")).toBe(false)
    expect(await found(every.repo, "c1")).toBe(true)
    expect(await found(every.repo, "c2")).toBe(true)
    // c1's lease goes to b: a drops c1 and closes the named service's socket, which comes back through b
    await db.pool.query("UPDATE clinic_leases SET expires_at = now() - interval '1 second' WHERE clinic_id = 'c1'")
    const moved = await upgrade(syncUrlOf(b, "c1", "d3"))
    await a.leases?.renew()
    await eventually("the named service joined b", () => named.adapter.remotePeerId === b.peerId, 10_000)
    // the unnamed one stays where it is
    expect(every.adapter.remotePeerId).toBe(a.peerId)
    for (const p of [named, every]) await p.repo.shutdown()
    for (const ws of [...desks, moved.ws]) ws?.close()
  })

  it("a relay that lost a clinic's lease drops it: its desks' sockets close, its documents unload", async () => {
    // a's renewals stall (a long pause): only the test's renew() runs them
    const a = await relay("a", 60_000)
    const b = await relay("b")
    const desk = await rawSocket(syncUrlOf(a, "c1", "d1"))
    const gone = closed(desk)
    const root = docIdFor("c1", "root")
    await a.repo.find(root)
    expect(a.repo.handles[root]).toBeDefined()
    // a's lease runs out: b takes c1 when a desk of c1 reaches it
    await db.pool.query("UPDATE clinic_leases SET expires_at = now() - interval '1 second' WHERE clinic_id = 'c1'")
    const moved = await upgrade(syncUrlOf(b, "c1", "d2"))
    expect(moved.ws?.readyState).toBe(WebSocket.OPEN)
    expect(await a.leases?.lease("c1")).toMatchObject({ holder: "b", mine: false })
    // a's next renewal finds the lease gone and drops the clinic
    await a.leases?.renew()
    expect(a.leases?.holds("c1")).toBe(false)
    expect(await gone).toBeGreaterThan(0)
    await eventually("a unloaded c1's documents", () => a.repo.handles[root] === undefined, 5_000)
    moved.ws?.close()
  })

  it("a desk follows no redirect to another scheme (ws to http), nor one with credentials in it", async () => {
    const a = await relay("a")
    // a front that sends every upgrade elsewhere: once to a downgraded scheme, then with a user in the URL
    const locations = [a.syncUrl.replace("ws://", "http://"), a.syncUrl.replace("ws://", "ws://user:pw@"), a.syncUrl]
    let asked = 0
    const front = http.createServer()
    front.on("upgrade", (_req, socket: Duplex) => {
      const location = locations[Math.min(asked++, locations.length - 1)] ?? ""
      socket.end(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${location}\r\nConnection: close\r\n\r\n`)
    })
    await new Promise<void>(resolve => front.listen(0, "127.0.0.1", resolve))
    const port = (front.address() as AddressInfo).port
    const adapter = new ResilientWebSocketClientAdapter(`ws://127.0.0.1:${port}/sync?clinic=c1&desk=d1&role=desk`, {
      backoff: { minMs: 50, maxMs: 100 },
    })
    const errors: string[] = []
    adapter.on("connection", e => e.error !== undefined && errors.push(e.error))
    adapter.connect("desk:d1:x" as PeerId)
    // the first two are refused (the desk stays on the front and retries), the third, honest one followed
    await eventually("the desk joined relay a after two refused redirects", () => adapter.remotePeerId === a.peerId, 10_000)
    expect(errors.slice(0, 2)).toEqual(["Unexpected server response: 307", "Unexpected server response: 307"])
    expect(asked).toBe(3)
    adapter.disconnect()
    await new Promise<void>(resolve => front.close(() => resolve()))
  })
})
