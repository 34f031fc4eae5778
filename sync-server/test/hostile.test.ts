import * as A from "@automerge/automerge"
import { cbor, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"
import { imm, type ClientShardDoc, type RootDoc } from "@vetsync/shared"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
import { request } from "./registrySupport.js"
import { eventually } from "@vetsync/test-kit"
import {
  closed,
  createDoc,
  makeTemp,
  rawSocket,
  relayHas,
  rmTemp,
  stockDesk,
  syncUrlOf,
  type TestDesk,
} from "./support.js"

interface Reply {
  type?: string
  message?: string
}

/** A raw desk socket of clinic c1 that has joined as `desk:<name>:1`; collects the relay's replies. */
const joined = async (relay: RelayServer, name: string): Promise<{ ws: WebSocket; replies: Reply[] }> => {
  const ws = await rawSocket(syncUrlOf(relay, "c1", name))
  const replies: Reply[] = []
  ws.on("message", m => replies.push(cbor.decode<Reply>(new Uint8Array(m as Buffer))))
  ws.send(cbor.encode({ type: "join", senderId: `desk:${name}:1`, peerMetadata: {}, supportedProtocolVersions: ["1"] }))
  await eventually(
    `the relay to answer ${name}'s join with a peer frame`,
    () => replies.some(r => r.type === "peer"),
    20_000,
  )
  return { ws, replies }
}

const newDocId = (): string => parseAutomergeUrl(generateAutomergeUrl()).documentId

describe("relay under hostile desks", () => {
  let dir: string
  let relay: RelayServer
  let desks: TestDesk[]
  beforeEach(async () => {
    dir = makeTemp("hostile")
    relay = await RelayServer.start({
      dataDir: `${dir}/relay`,
      clinics: ["c1"],
      rateLimit: { burst: 50, perSecond: 1, maxStrikes: 20 },
    })
    desks = [stockDesk(relay, "c1", "a", `${dir}/a`), stockDesk(relay, "c1", "b", `${dir}/b`)]
  })
  afterEach(async () => {
    for (const d of desks) await d.close()
    await relay.close()
    rmTemp(dir)
  })

  it("limits a flood of document requests per socket: excess answered with an error, then the socket closed", async () => {
    const { ws, replies } = await joined(relay, "flood")
    const done = closed(ws)
    const empty = A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [] })
    for (let i = 0; i < 500; i++)
      ws.send(
        cbor.encode({
          type: "request",
          senderId: "desk:flood:1",
          targetId: relay.peerId,
          documentId: newDocId(),
          data: empty,
        }),
      )
    expect(await done).toBe(1008)
    const errors = replies.filter(r => r.type === "error").map(r => r.message)
    expect(errors[0]).toMatch(/rate limit exceeded/)
    expect(errors.at(-1)).toMatch(/too many document messages/)
    expect(relay.adapter.rateLimited).toBeGreaterThanOrEqual(20)
    // at most the burst (and what refilled meanwhile) reached the repo, not 500 handles
    expect(Object.keys(relay.repo.handles).length).toBeLessThan(100)

    // honest desks are not affected
    const [a, b] = desks.map(d => d.repo) as [TestDesk["repo"], TestDesk["repo"]]
    // a desk that has not joined yet answers find() with "unavailable" after a second on its own
    await eventually("desk B to join the relay", () => b.peers.includes(relay.peerId), 20_000)
    const root = createDoc<RootDoc>(a, "c1", "root")
    root.change(d => void (d.partitions["appointments/2026-12"] = true))
    const onB = await b.find<RootDoc>(root.documentId)
    await eventually(
      "desk B to see desk A's partition appointments/2026-12",
      () => onB.doc().partitions["appointments/2026-12"] === true,
      30_000,
    )
  })

  it("refuses a document whose sync data is not Automerge, and keeps serving the others", async () => {
    const [a, b] = desks.map(d => d.repo) as [TestDesk["repo"], TestDesk["repo"]]
    // a desk that has not joined yet answers find() with "unavailable" after a second on its own
    await eventually("desk B to join the relay", () => b.peers.includes(relay.peerId), 20_000)
    const root = createDoc<RootDoc>(a, "c1", "root")
    await eventually("the relay to acknowledge desk A's root", () => relayHas(a, root, relay), 30_000)
    const saved = A.save(root.doc())
    const torn = Uint8Array.from(saved)
    torn[torn.length - 3]! ^= 0xff
    const junk = [
      // a well-formed sync message whose "change" is not Automerge at all
      new TextEncoder().encode("this is not an automerge change at all"),
      // a whole document with a damaged byte (checksum mismatch)
      torn,
      // a real change, truncated
      A.getLastLocalChange(A.change(A.init<{ x: number }>(), d => void (d.x = 1)))!.subarray(0, 20),
    ]
    for (const chunk of junk) {
      const { ws, replies } = await joined(relay, "junk")
      const done = closed(ws)
      const data = A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [chunk] })
      ws.send(
        cbor.encode({
          type: "sync",
          senderId: "desk:junk:1",
          targetId: relay.peerId,
          documentId: root.documentId,
          data,
        }),
      )
      expect(await done).toBe(1008)
      expect(replies.filter(r => r.type === "error").map(r => r.message)).toEqual([
        expect.stringMatching(
          /invalid sync message: entry 0: chunk 0: (bad magic|not an Automerge chunk|bad checksum|truncated)/,
        ),
      ])
    }
    root.change(d => void (d.partitions["invoices/2026-12"] = true))
    const onB = await b.find<RootDoc>(root.documentId)
    await eventually(
      "desk B to see desk A's partition invoices/2026-12 after the junk",
      () => onB.doc().partitions["invoices/2026-12"] === true,
      30_000,
    )
    expect(relay.health().ok).toBe(true)
  })

  it("accepts records that violate the schema without crashing: the snapshot still builds, other records intact", async () => {
    const [a, b] = desks.map(d => d.repo) as [TestDesk["repo"], TestDesk["repo"]]
    const shard = createDoc<ClientShardDoc>(a, "c1", "clients/0")
    const good = "11111111-1111-4111-8111-111111111111"
    shard.change(d => {
      d.clients[good] = {
        id: imm(good),
        name: imm("Good Client"),
        phone: imm(""),
        email: imm(""),
        address: imm(""),
        notes: "",
        createdAt: imm("2026-11-01T10:00:00Z"),
        updatedAt: imm("2026-11-01T10:00:00Z"),
        createdBy: imm("a"),
        updatedBy: imm("a"),
        deleted: false,
      }
      // wrong types, missing fields, junk keys
      const bad = d.clients as unknown as Record<string, unknown>
      bad["not-a-uuid"] = { id: 42, name: ["x"], deleted: "yes" }
      bad["22222222-2222-4222-8222-222222222222"] = null
      ;(d as unknown as Record<string, unknown>).kind = "not-a-kind"
    })
    await eventually(
      "the relay to acknowledge desk A's client shard with the schema-violating records",
      () => relayHas(a, shard, relay),
      30_000,
    )
    const res = await request(`${relay.url}/clinics/c1/snapshot?clinic=c1&desk=a`)
    expect(res.status).toBe(200)
    const onB = await b.find<ClientShardDoc>(shard.documentId)
    expect(onB.doc().clients[good]?.name.val).toBe("Good Client")
  })
})
