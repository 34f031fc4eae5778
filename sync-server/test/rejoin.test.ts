import type { Message } from "@automerge/automerge-repo"
import type { ClientShardDoc } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { RelayServer } from "../src/RelayServer.js"
import { createDoc, makeTemp, relayHas, rmTemp, stockDesk, type TestDesk } from "./support.js"

/**
 * A relay and desks a and b of clinic c1 sharing clients/7; the relay's next messages of it to
 * desk a are lost on the way while desk b changes it. Returns desk a's handle and the relay.
 */
const lostPush = async (name: string, cleanups: (() => Promise<void> | void)[]) => {
    const dir = makeTemp(name)
    cleanups.push(() => rmTemp(dir))
    const relay = await RelayServer.start({ dataDir: `${dir}/relay`, keepAliveMs: 60_000 })
    cleanups.push(() => relay.close())
    const a: TestDesk = stockDesk(relay, "c1", "a", `${dir}/a`)
    const b: TestDesk = stockDesk(relay, "c1", "b", `${dir}/b`)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const onA = createDoc<ClientShardDoc>(a.repo, "c1", "clients/7")
    onA.change(d => void (d.clients = { ...d.clients }))
    await eventually("the relay to hold desk a's document", () => relayHas(a.repo, onA, relay), 30_000)
    const onB = await b.repo.find<ClientShardDoc>(onA.documentId)
    await eventually("desk b to have the document", () => onB.isReady(), 30_000)

    // the relay's next messages of the document to desk a are lost on the way
    const send = relay.adapter.send.bind(relay.adapter)
    let lost = 0
    let losing = true
    relay.adapter.send = (m: Message) => {
      if (losing && m.type === "sync" && m.targetId === a.repo.peerId && m.documentId === onA.documentId) lost++
      else send(m)
    }
    onB.change(d => void ((d as unknown as { note: string }).note = "from b"))
    await eventually("the relay to send desk b's change to desk a (and lose it)", () => lost > 0, 30_000)
    losing = false
  return { relay, a, onA }
}

/**
 * A change the relay sent into a connection that died unnoticed is lost; automerge-repo's sync
 * state for that peer remembers it as sent and, kept across the peer's reconnection, never sends
 * it again. The relay gives a document a fresh synchronizer when a peer that rejoined talks about
 * it again (RelayPolicy), so the desk gets the change on its next connection.
 */
describe("a desk that rejoins after the relay's message to it was lost", () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it("gets the lost change once it reconnects under the same peer id", async () => {
    const { relay, a, onA } = await lostPush("rejoin", cleanups)
    // nothing makes this connection send it again: a has nothing new, and the relay took it as sent
    expect((onA.doc() as unknown as { note?: string }).note).toBeUndefined()

    // desk a's connection drops and comes back with the same peer id
    const peerId = a.repo.peerId
    expect(relay.adapter.disconnectWhere(i => i.deskId === "a", "a connection that died")).toBe(1)
    await eventually("desk a to rejoin", () => relay.adapter.peerIds.includes(peerId), 30_000)
    await eventually(
      "desk a to get desk b's change after rejoining",
      () => (onA.doc() as unknown as { note?: string }).note === "from b",
      30_000,
    )
    expect(relay.metrics.registry.getSingleMetric("vetsync_relay_resyncs_total")).toBeDefined()
    expect(await relay.metrics.scrape()).toMatch(/^vetsync_relay_resyncs_total [1-9]/m)
  })
})

describe("a desk that stays connected after the relay's message to it was lost", () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it("gets the lost change once it asks the relay to resync the document, and may ask only for its own clinic", async () => {
    const { relay, onA } = await lostPush("resync", cleanups)

    const ask = (clinic: string, body: string, method = "POST") =>
      fetch(`${relay.url}/clinics/${clinic}/resync`, {
        method,
        headers: { "x-vetsync-role": "desk", "x-vetsync-desk": "a", "x-vetsync-clinic": "c1", "content-type": "application/json" },
        ...(method === "POST" ? { body } : {}),
      })
    // refused: another clinic's documents, a body that names no documents, a GET
    expect((await ask("c2", '{"keys":["clients/7"]}')).status).toBe(403)
    const bad = await ask("c1", '{"keys":["clients/700"]}')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: expect.stringContaining("resync takes") })
    expect((await ask("c1", "", "GET")).status).toBe(404)
    expect((onA.doc() as unknown as { note?: string }).note).toBeUndefined()

    const asked = await ask("c1", '{"keys":["clients/7"]}')
    expect(await asked.json()).toEqual({ resynced: 1 })
    await eventually(
      "desk a to get desk b's change on the same connection",
      () => (onA.doc() as unknown as { note?: string }).note === "from b",
      30_000,
    )
  })
})
