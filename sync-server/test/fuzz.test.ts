import { cbor } from "@automerge/automerge-repo"
import { contentsOf, docIdFor, type PriceListDoc } from "@vetsync/shared"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
import { fuzzFrame, prng, realSyncMessages, type FuzzContext } from "./fuzzFrames.js"
import { eventually } from "@vetsync/test-kit"
import { createDoc, makeTemp, relayHas, rmTemp, stockDesk, syncUrlOf, type TestDesk } from "./support.js"

/** Bounded for CI: a few seconds. Override with VETSYNC_FUZZ_ITERATIONS / VETSYNC_FUZZ_SEED to dig deeper. */
const ITERATIONS = Number(process.env.VETSYNC_FUZZ_ITERATIONS ?? 2000)
const SEED = Number(process.env.VETSYNC_FUZZ_SEED ?? 0x5eed)
const ATTACKERS = 4
const MAX = 64 * 1024

interface SharedDoc {
  edits: Record<string, string>
}

/** An attacker connection: reopened (and re-joined) whenever the relay closed it. */
class Attacker {
  ws: WebSocket | undefined
  opened = 0
  readonly #url: string
  readonly #peerId: string

  constructor(url: string, peerId: string) {
    this.#url = url
    this.#peerId = peerId
  }

  async socket(): Promise<WebSocket> {
    if (this.ws?.readyState === WebSocket.OPEN) return this.ws
    this.ws?.terminate()
    const ws = new WebSocket(this.#url)
    ws.on("error", () => undefined)
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve())
      ws.once("error", reject)
    })
    this.opened++
    // a valid join, so most frames reach the document message path
    ws.send(cbor.encode({ type: "join", senderId: this.#peerId, peerMetadata: {}, supportedProtocolVersions: ["1"] }))
    this.ws = ws
    return ws
  }

  get peerId(): string {
    return this.#peerId
  }
}

describe("relay message-path fuzzer", () => {
  let dir: string
  let relay: RelayServer
  let desks: TestDesk[]
  const logs: string[] = []
  beforeAll(async () => {
    dir = makeTemp("fuzz")
    relay = await RelayServer.start({
      dataDir: `${dir}/relay`,
      maxMessageBytes: MAX,
      clinics: ["c1", "c2"],
      log: l => logs.push(l),
    })
    desks = [stockDesk(relay, "c1", "a", `${dir}/a`), stockDesk(relay, "c1", "b", `${dir}/b`)]
  })
  afterAll(async () => {
    for (const d of desks) await d.close()
    await relay.close()
    rmTemp(dir)
  })

  it(`survives ${ITERATIONS} generated frames (seed ${SEED}) while two honest desks keep every edit`, async () => {
    const [a, b] = desks.map(d => d.repo) as [TestDesk["repo"], TestDesk["repo"]]
    const shared = a.create<SharedDoc>({ edits: {} })
    const root = createDoc(a, "c1", "root")
    const priceList = createDoc<PriceListDoc>(a, "c1", "pricelist")
    await eventually(
      "the relay to acknowledge desk A's shared, root and price-list documents",
      () => [shared, root, priceList].every(h => relayHas(a, h, relay)),
      30_000,
    )
    const onB = await b.find<SharedDoc>(shared.documentId)

    const r = prng(SEED)
    const syncMessages = realSyncMessages()
    const attackers = Array.from(
      { length: ATTACKERS },
      (_, i) => new Attacker(syncUrlOf(relay, "c1", `fz${i}`), `desk:fz${i}:1`),
    )
    const expected = new Set<string>()
    for (let i = 0; i < ITERATIONS; i++) {
      const attacker = attackers[i % ATTACKERS]!
      const ws = await attacker.socket()
      const ctx: FuzzContext = {
        self: attacker.peerId,
        relayPeerId: relay.peerId,
        docIds: [shared.documentId, root.documentId, docIdFor("c1", "pricelist"), docIdFor("c2", "root")],
        syncMessages,
      }
      ws.send(fuzzFrame(r, ctx))
      // honest desks edit concurrently, from both sides
      if (i % 100 === 0) {
        const [desk, handle] = i % 200 === 0 ? (["a", shared] as const) : (["b", onB] as const)
        handle.change(d => void (d.edits[`${desk}${i}`] = `edit ${i}`))
        expected.add(`${desk}${i}`)
      }
    }
    for (const at of attackers) at.ws?.terminate()

    // every edit reaches the other desk and the relay: nothing acknowledged is lost
    const has = (doc: SharedDoc): boolean => [...expected].every(k => doc.edits[k] !== undefined)
    await eventually(
      "both honest desks to hold every edit they made during the fuzzing",
      () => has(shared.doc()) && has(onB.doc()),
      60_000,
    )
    await eventually(
      "the relay to acknowledge both honest desks' copies of the shared document",
      () => relayHas(a, shared, relay) && relayHas(b, onB, relay),
      60_000,
    )
    const relayCopy = await relay.repo.find<SharedDoc>(shared.documentId)
    // the relay keeps its documents lean: their values are read from wasm
    expect(has(contentsOf(relayCopy.doc()))).toBe(true)
    expect(relay.health().ok).toBe(true)
    // the attackers' sockets are gone; the honest desks' are not
    const honest = [a.peerId, b.peerId].sort().join()
    await eventually(
      "the relay's joined peers to be the two honest desks only (every attacker dropped)",
      () => relay.adapter.peerIds.sort().join() === honest,
      30_000,
    )
    // the price list never took a desk's (here: an attacker's) change: still its genesis
    expect(relay.repo.handles[priceList.documentId]?.heads()).toEqual(priceList.heads())
    expect(attackers.reduce((s, at) => s + at.opened, 0)).toBeGreaterThan(ATTACKERS)
  })
})
