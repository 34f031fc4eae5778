import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { randomBytes } from "node:crypto"
import { Repo, type DocHandle, type PeerId } from "@automerge/automerge-repo"
import {
  ClosableStorageAdapter,
  ResilientWebSocketClientAdapter,
  SafeFsStorageAdapter,
  docIdFor,
  genesisBinary,
  type DocKey,
  type RootDoc,
  type ClientShardDoc,
} from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

/**
 * The sync-state defect of automerge-repo 2.5.6: sync states are saved throttled per peer
 * across all documents, so most documents never get theirs saved, and a desk restarted
 * against a long-running relay got no reply for documents it had not changed. VetSync's
 * configuration: both sides isEphemeral (nobody persists or loads sync states), a new desk
 * peer id per run (the relay's in-memory sync states of the previous run are not reused),
 * and the desk find()s every document it has at start.
 */

const N = 40
const keys: DocKey[] = ["root", ...Array.from({ length: N - 1 }, (_, i) => `clients/${i}` as DocKey)]

interface Desk {
  repo: Repo
  adapter: ResilientWebSocketClientAdapter
  close: () => Promise<void>
}

/** A desk exactly as the desk core creates it. */
const startDesk = (url: string, dir: string, deskId: string): Desk => {
  const storage = new ClosableStorageAdapter(new SafeFsStorageAdapter(dir, { fsync: false }))
  const adapter = new ResilientWebSocketClientAdapter(url, {
    headers: { "x-vetsync-clinic": "c1", "x-vetsync-desk": deskId },
    backoff: { minMs: 20, maxMs: 200 },
  })
  const repo = new Repo({
    storage,
    network: [adapter],
    peerId: `desk:${deskId}:${randomBytes(4).toString("hex")}` as PeerId,
    isEphemeral: true,
    sharePolicy: async () => true,
  })
  const close = async (): Promise<void> => {
    repo.networkSubsystem.disconnect()
    await repo.flush(
      Object.values(repo.handles)
        .filter(h => h.isReady())
        .map(h => h.documentId),
    )
    await storage.close()
  }
  return { repo, adapter, close }
}

const acked = (repo: Repo, relay: RelayServer, h: DocHandle<unknown>): boolean => {
  const sid = repo.getStorageIdOfPeer(relay.peerId)
  const last = (sid && h.getSyncInfo(sid)?.lastHeads) || []
  return h.heads().length === last.length && h.heads().every(x => (last as string[]).includes(x))
}

/** A TCP proxy to the relay that can be switched on later: the desk's "network". */
class Link {
  readonly server = net.createServer(c => {
    const u = net.connect(this.target, "127.0.0.1")
    c.pipe(u).pipe(c)
    c.on("error", () => u.destroy())
    u.on("error", () => c.destroy())
    this.sockets.add(c).add(u)
  })
  readonly sockets = new Set<net.Socket>()
  constructor(
    readonly port: number,
    readonly target: number,
  ) {}
  up(): Promise<void> {
    return new Promise(r => this.server.listen(this.port, "127.0.0.1", () => r()))
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    if (this.server.listening) await new Promise(r => this.server.close(r))
  }
}

const freePort = async (): Promise<number> => {
  const s = net.createServer()
  await new Promise<void>(r => s.listen(0, "127.0.0.1", r))
  const { port } = s.address() as net.AddressInfo
  await new Promise(r => s.close(r))
  return port
}

describe("desk restarted against a long-running relay", () => {
  let dir: string
  let relay: RelayServer
  const cleanups: (() => Promise<void>)[] = []
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-restart-"))
    relay = await RelayServer.start({ dataDir: path.join(dir, "relay"), name: "long" })
  })
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
    await relay.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it.each([
    ["offline at start, then online", true],
    ["online at start", false],
  ])("receives every document another desk changed while it was down (%s)", async (_name, offlineFirst) => {
    const dirA = path.join(dir, "a")
    // run 1 of desk A: creates N documents, changes the first half once more, all acknowledged
    const a1 = startDesk(relay.syncUrl, dirA, "a")
    const created = keys.map(k =>
      a1.repo.import<RootDoc | ClientShardDoc>(genesisBinary("c1", k), { docId: docIdFor("c1", k) }),
    )
    created.slice(0, N / 2).forEach((h, i) => h.change(d => void ((d as { v: number }).v = 100 + i)))
    await eventually(
      `the relay to acknowledge all ${N} documents of desk A's first run`,
      () => created.every(h => acked(a1.repo, relay, h)),
      60_000,
    )

    // desk B has all documents
    const b = startDesk(relay.syncUrl, path.join(dir, "b"), "b")
    cleanups.push(b.close)
    const onB = await Promise.all(created.map(h => b.repo.find<RootDoc | ClientShardDoc>(h.documentId)))

    await a1.close()

    // while A is down, B changes the documents A did not change in run 1
    onB.slice(N / 2).forEach((h, i) => h.change(d => void ((d as { v: number }).v = 500 + i)))
    await eventually(
      "the relay to acknowledge desk B's changes made while desk A was down",
      () => onB.every(h => acked(b.repo, relay, h)),
      60_000,
    )

    // run 2 of desk A: same storage, new peer id; starts offline or online
    const linkPort = await freePort()
    const link = new Link(linkPort, relay.port)
    cleanups.push(() => link.down())
    if (!offlineFirst) await link.up()
    const a2 = startDesk(`ws://127.0.0.1:${linkPort}/sync`, dirA, "a")
    cleanups.push(a2.close)
    // the desk core find()s every document it has on disk at start (2.5.6 never syncs documents not loaded)
    const reopened = await Promise.all(created.map(h => a2.repo.find<RootDoc | ClientShardDoc>(h.documentId)))
    reopened[0]!.change(d => void ((d as { v: number }).v = 999))
    if (offlineFirst) {
      expect(a2.adapter.remotePeerId).toBeUndefined()
      await link.up()
      a2.adapter.connectNow()
    }

    await eventually(
      "desk A's second run to receive desk B's changes to the second half",
      () => reopened.slice(N / 2).every((h, i) => (h.doc() as { v: number }).v === 500 + i),
      60_000,
    )
    await eventually(
      "desk B to receive desk A's change v = 999 of document 0",
      () => (onB[0]!.doc() as { v: number }).v === 999,
      60_000,
    )
    await eventually(
      "the relay to acknowledge every document of desk A's second run",
      () => reopened.every(h => acked(a2.repo, relay, h)),
      60_000,
    )
    expect(reopened.slice(0, N / 2).map(h => (h.doc() as { v: number }).v)).toEqual([
      999,
      ...Array.from({ length: N / 2 - 1 }, (_, i) => 101 + i),
    ])
  })

  it("a desk that lost its connection (same run, same peer id) receives what another desk changed meanwhile", async () => {
    const linkPort = await freePort()
    const link = new Link(linkPort, relay.port)
    cleanups.push(() => link.down())
    await link.up()
    const a = startDesk(`ws://127.0.0.1:${linkPort}/sync`, path.join(dir, "a"), "a")
    cleanups.push(a.close)
    const created = keys.map(k =>
      a.repo.import<RootDoc | ClientShardDoc>(genesisBinary("c1", k), { docId: docIdFor("c1", k) }),
    )
    await eventually(
      `the relay to acknowledge all ${N} documents desk A created`,
      () => created.every(h => acked(a.repo, relay, h)),
      60_000,
    )
    const b = startDesk(relay.syncUrl, path.join(dir, "b"), "b")
    cleanups.push(b.close)
    const onB = await Promise.all(created.map(h => b.repo.find<RootDoc | ClientShardDoc>(h.documentId)))

    const lost = new Promise<void>(r => a.adapter.once("peer-disconnected", () => r()))
    await link.down()
    await lost
    onB.forEach((h, i) => h.change(d => void ((d as { v: number }).v = 700 + i)))
    created[0]!.change(d => void ((d as { v: number }).v = 1))
    await eventually(
      "the relay to acknowledge desk B's changes made while desk A was cut off",
      () => onB.every(h => acked(b.repo, relay, h)),
      60_000,
    )

    const back = new Link(linkPort, relay.port)
    cleanups.push(() => back.down())
    await back.up()
    a.adapter.connectNow()
    await eventually(
      "desk A to receive desk B's changes once its connection is back",
      () => created.slice(1).every((h, i) => (h.doc() as { v: number }).v === 701 + i),
      60_000,
    )
    await eventually(
      "the relay to acknowledge every document of desk A after the reconnection",
      () => created.every(h => acked(a.repo, relay, h)),
      60_000,
    )
    // both wrote v of document 0 concurrently: one value wins on both desks
    await eventually(
      "desks A and B to agree on document 0's concurrently written v",
      () => (onB[0]!.doc() as { v: number }).v === (created[0]!.doc() as { v: number }).v,
      60_000,
    )
    const values = (hs: DocHandle<unknown>[]): number[] => hs.map(h => (h.doc() as { v: number }).v)
    const winner = values(created)[0]
    expect([1, 700]).toContain(winner)
    expect(values(created)).toEqual([winner, ...Array.from({ length: N - 1 }, (_, i) => 701 + i)])
    expect(values(onB)).toEqual(values(created))
  })
})
