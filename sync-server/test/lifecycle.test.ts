import * as A from "@automerge/automerge"
import { cbor, generateAutomergeUrl, parseAutomergeUrl, Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { contentsOf, docIdFor, priceItemToDoc, type PriceListDoc, type RootDoc } from "@vetsync/shared"
import { afterEach, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
import { eventually } from "@vetsync/test-kit"
import { createDoc, makeTemp, relayHas, rmTemp, stockDesk, syncUrlOf, type TestDesk } from "./support.js"

const join = (ws: WebSocket, peerId: string): void =>
  ws.send(cbor.encode({ type: "join", senderId: peerId, peerMetadata: {}, supportedProtocolVersions: ["1"] }))

describe("relay lifecycle", () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it("drops a desk that stops answering pings, keeps one that answers", async () => {
    const dir = makeTemp("keepalive")
    const relay = await RelayServer.start({ dataDir: dir, keepAliveMs: 50 })
    cleanups.push(
      () => rmTemp(dir),
      () => relay.close(),
    )
    // a peer whose process is frozen: ws never answers the relay's pings
    const silent = new WebSocket(syncUrlOf(relay, "c1", "s"), { autoPong: false })
    const alive = new WebSocket(syncUrlOf(relay, "c1", "l"))
    cleanups.push(() => alive.close())
    // listen for the close before anything else: with 50 ms pings a loaded machine may see it early
    const silentClosed = new Promise<number>(r => silent.once("close", r))
    await Promise.all([silent, alive].map(ws => new Promise(r => ws.once("open", r))))
    join(silent, "desk:s:1")
    join(alive, "desk:l:1")
    expect(await silentClosed).toBe(1006)
    await eventually(
      "the answering desk desk:l:1 to stay joined on the relay",
      () => relay.adapter.peerIds.includes("desk:l:1" as PeerId),
      20_000,
    )
    expect(relay.adapter.peerIds).toEqual(["desk:l:1"])
    expect(alive.readyState).toBe(WebSocket.OPEN)
  })

  it("remembers which clinic owns a document across a relay restart, and serves it from disk", async () => {
    const dir = makeTemp("restart")
    cleanups.push(() => rmTemp(dir))
    const desks: TestDesk[] = []
    const relay1 = await RelayServer.start({ dataDir: `${dir}/relay` })
    const a = stockDesk(relay1, "A", "a1", `${dir}/a1`)
    const doc = a.repo.create<{ x: number }>({ x: 1 })
    const root = createDoc<RootDoc>(a.repo, "A", "root")
    await eventually(
      "relay 1 to acknowledge desk a1's document and root",
      () => relayHas(a.repo, doc, relay1) && relayHas(a.repo, root, relay1),
      30_000,
    )
    await a.close()
    await relay1.close()

    const relay2 = await RelayServer.start({ dataDir: `${dir}/relay`, port: 0 })
    cleanups.push(() => relay2.close())
    // cleanups run last-in first-out: desks close before the relay
    cleanups.push(async () => {
      for (const d of desks) await d.close()
    })
    expect(relay2.ownership.ownerOf(doc.documentId)).toBe("A")
    const b = stockDesk(relay2, "B", "b1", `${dir}/b1`)
    const a2 = stockDesk(relay2, "A", "a2", `${dir}/a2`)
    desks.push(b, a2)
    await eventually("desk b1 to join the restarted relay", () => b.repo.peers.includes(relay2.peerId), 20_000)
    await expect(b.repo.find(doc.documentId)).rejects.toThrow(/unavailable/)
    const got = await a2.repo.find<{ x: number }>(doc.documentId)
    expect(got.doc().x).toBe(1)
  })

  it("a desk that found a document unavailable receives it once another desk uploads it", async () => {
    const dir = makeTemp("late")
    cleanups.push(() => rmTemp(dir))
    const relay = await RelayServer.start({ dataDir: `${dir}/relay` })
    cleanups.push(() => relay.close())
    const a = stockDesk(relay, "c1", "a", `${dir}/a`)
    const b = stockDesk(relay, "c1", "b", `${dir}/b`)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    await eventually("desk b to join the relay", () => b.repo.peers.includes(relay.peerId), 20_000)
    // a document outside the clinic's layout (no genesis to answer with): B asks first, while
    // neither the relay nor any other desk has it
    const docId = parseAutomergeUrl(generateAutomergeUrl()).documentId
    await expect(b.repo.find(docId)).rejects.toThrow(/unavailable/)
    const onB = b.repo.handles[docId]!
    expect(onB.state).toBe("unavailable")
    // A creates it later; the relay pushes it to B, whose handle turns ready (until then a
    // second find() answers "unavailable" at once from the repo's handle cache: watch the handle)
    const created = A.change(A.init<{ note: string }>(), d => {
      d.note = "late"
    })
    a.repo.import(A.save(created), { docId })
    await eventually(
      "desk b's handle of the once-unavailable document to become ready",
      () => onB.state === "ready",
      30_000,
    )
    expect((onB.doc() as { note?: string }).note).toBe("late")

    // a layout document the relay has nothing of yet is answered with its genesis at once
    // (GenesisFallbackStorage), and the content follows when a desk writes it
    const rootOnB = await b.repo.find<RootDoc>(docIdFor("c1", "root"))
    expect(rootOnB.doc().kind).toBe("root")
    const root = createDoc<RootDoc>(a.repo, "c1", "root")
    root.change(d => {
      d.partitions["appointments/2026-11"] = true
    })
    await eventually(
      "desk b to see desk a's partition appointments/2026-11",
      () => rootOnB.doc().partitions["appointments/2026-11"] === true,
      30_000,
    )
  })

  it("lets a service peer (the bridge) read documents of every clinic", async () => {
    const dir = makeTemp("service")
    cleanups.push(() => rmTemp(dir))
    const relay = await RelayServer.start({ dataDir: `${dir}/relay` })
    cleanups.push(() => relay.close())
    const a = stockDesk(relay, "A", "a", `${dir}/a`)
    const b = stockDesk(relay, "B", "b", `${dir}/b`)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const docA = createDoc<RootDoc>(a.repo, "A", "root")
    const docB = b.repo.create({ from: "B" })
    await eventually(
      "the relay to acknowledge clinic A's root and clinic B's document",
      () => relayHas(a.repo, docA, relay) && relayHas(b.repo, docB, relay),
      30_000,
    )

    const bridge = new Repo({
      network: [new WebSocketClientAdapter(syncUrlOf(relay, "*", "bridge", "service"))],
      peerId: "service:bridge:1" as PeerId,
      isEphemeral: true,
      sharePolicy: async () => false,
    })
    cleanups.push(async () => {
      await eventually(
        "the bridge (a service peer) to join the relay",
        () => bridge.peers.includes(relay.peerId),
        20_000,
      )
      bridge.networkSubsystem.disconnect()
    })
    expect((await bridge.find<RootDoc>(docA.documentId)).doc().kind).toBe("root")
    expect((await bridge.find<{ from: string }>(docB.documentId)).doc().from).toBe("B")
    expect(relay.adapter.identityOf("service:bridge:1" as PeerId)).toEqual({
      clinicId: "*",
      deskId: "bridge",
      role: "service",
    })
  })

  it("drops a desk's changes to the server-owned price list; the desk still receives the bridge's", async () => {
    const dir = makeTemp("owned")
    cleanups.push(() => rmTemp(dir))
    const relay = await RelayServer.start({ dataDir: `${dir}/relay`, clinics: ["c1"] })
    cleanups.push(() => relay.close())
    const a = stockDesk(relay, "c1", "a", `${dir}/a`)
    const b = stockDesk(relay, "c1", "b", `${dir}/b`)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const bridge = new Repo({
      network: [new WebSocketClientAdapter(syncUrlOf(relay, "*", "bridge", "service"))],
      peerId: "service:bridge:1" as PeerId,
      isEphemeral: true,
      sharePolicy: async () => true,
    })
    cleanups.push(async () => {
      await eventually(
        "the bridge (a service peer) to join the relay",
        () => bridge.peers.includes(relay.peerId),
        20_000,
      )
      bridge.networkSubsystem.disconnect()
    })
    const published = createDoc<PriceListDoc>(bridge, "c1", "pricelist")
    published.change(d => {
      d.items["consult"] = priceItemToDoc({
        id: "consult",
        code: "S001",
        name: "Consultation",
        kind: "service",
        price: 150000,
        unit: "pc",
        active: true,
        updatedAt: "2026-11-01T00:00:00Z",
      })
    })
    await eventually(
      "the relay to acknowledge the bridge's price list",
      () => relayHas(bridge, published, relay),
      30_000,
    )

    const onA = await a.repo.find<PriceListDoc>(published.documentId)
    await eventually(
      "desk a to receive the bridge's price item consult",
      () => onA.doc().items["consult"] !== undefined,
      30_000,
    )
    onA.change(d => {
      d.items["consult"]!.price = 1
    })
    await eventually("the relay to drop desk a's change to the price list", () => relay.droppedDeskChanges > 0, 30_000)
    // the bridge publishes a price change: it reaches the desk that tried to write
    published.change(d => {
      d.items["consult"]!.price = 160000
      d.items["vaccine"] = priceItemToDoc({
        id: "vaccine",
        code: "S002",
        name: "Vaccination",
        kind: "service",
        price: 220050,
        unit: "pc",
        active: true,
        updatedAt: "2026-11-02T00:00:00Z",
      })
    })
    await eventually(
      "desk a to receive the bridge's price item vaccine",
      () => onA.doc().items["vaccine"] !== undefined,
      30_000,
    )
    // nobody else ever sees the desk's write: not the relay's copy, another desk, or the bridge
    const onB = await b.repo.find<PriceListDoc>(published.documentId)
    await eventually(
      "desk b to receive the bridge's price item vaccine",
      () => onB.doc().items["vaccine"] !== undefined,
      30_000,
    )
    expect(onB.doc().items["consult"]?.price).toBe(160000)
    expect(published.doc().items["consult"]?.price).toBe(160000)
    const relayCopy = await relay.repo.find<PriceListDoc>(published.documentId)
    // the relay keeps its documents lean: their values are read from wasm
    expect(contentsOf(relayCopy.doc()).items["consult"]?.price).toBe(160000)
    // a desk may upload the identical genesis of a server-owned document (desks create it offline)
    const dropped = relay.droppedDeskChanges
    const rejections = createDoc(b.repo, "c1", "rejections")
    await eventually(
      "the relay to acknowledge desk b's rejections document",
      () => relayHas(b.repo, rejections, relay),
      30_000,
    )
    expect(relay.droppedDeskChanges).toBe(dropped)
  })
})
