import { randomBytes } from "node:crypto"
import { cbor } from "@automerge/automerge-repo"
import { docIdFor, type RootDoc } from "@vetsync/shared"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
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

const MAX = 256 * 1024

describe("relay under malformed frames", () => {
  let dir: string
  let relay: RelayServer
  let desks: TestDesk[]
  beforeEach(async () => {
    dir = makeTemp("malformed")
    relay = await RelayServer.start({ dataDir: `${dir}/relay`, maxMessageBytes: MAX })
    desks = [stockDesk(relay, "c1", "a", `${dir}/a`), stockDesk(relay, "c1", "b", `${dir}/b`)]
  })
  afterEach(async () => {
    for (const d of desks) await d.close()
    await relay.close()
    rmTemp(dir)
  })

  /** Opens a socket, optionally joins, sends one bad frame; resolves with the close code and the decoded replies. */
  const attack = async (
    send: (ws: WebSocket) => void,
    opts: { join?: boolean } = {},
  ): Promise<{ code: number; replies: { type?: string; message?: string }[] }> => {
    const ws = await rawSocket(syncUrlOf(relay, "c1", "evil"))
    const replies: { type?: string; message?: string }[] = []
    ws.on("message", m => replies.push(cbor.decode<{ type?: string; message?: string }>(new Uint8Array(m as Buffer))))
    const done = closed(ws)
    if (opts.join) {
      ws.send(
        cbor.encode({ type: "join", senderId: "desk:evil:1", peerMetadata: {}, supportedProtocolVersions: ["1"] }),
      )
      // the relay answers with "peer" and may start syncing the clinic's documents right away
      await eventually(
        "the relay to answer desk:evil:1's join with a peer frame",
        () => replies.some(r => r.type === "peer"),
        20_000,
      )
    }
    send(ws)
    return { code: await done, replies }
  }

  const frames: [string, (ws: WebSocket) => void, boolean][] = [
    ["a CBOR null", ws => ws.send(cbor.encode(null)), false],
    ["random bytes", ws => ws.send(randomBytes(512)), false],
    ["CBOR of the wrong shape (array)", ws => ws.send(cbor.encode([1, "join", { a: 1 }])), false],
    ["CBOR of the wrong shape (object without type)", ws => ws.send(cbor.encode({ senderId: "desk:evil:1" })), false],
    [
      "a document message before join",
      ws =>
        ws.send(
          cbor.encode({
            type: "sync",
            senderId: "desk:evil:1",
            targetId: "relay:main",
            documentId: docIdFor("c1", "root"),
            data: new Uint8Array([0x42, 1]),
          }),
        ),
      false,
    ],
    [
      "a sync message whose data is not a sync message",
      ws =>
        ws.send(
          cbor.encode({
            type: "sync",
            senderId: "desk:evil:1",
            targetId: "relay:main",
            documentId: docIdFor("c1", "root"),
            data: randomBytes(64),
          }),
        ),
      true,
    ],
    [
      "a sync message with an invalid documentId",
      ws =>
        ws.send(
          cbor.encode({
            type: "request",
            senderId: "desk:evil:1",
            targetId: "relay:main",
            documentId: null,
            data: new Uint8Array([1]),
          }),
        ),
      true,
    ],
    ["an unknown message type", ws => ws.send(cbor.encode({ type: "crash-please", senderId: "desk:evil:1" })), true],
    ["a text frame", ws => ws.send("hello relay"), false],
    [
      "a join with a long non-ASCII foreign peer id",
      ws => ws.send(cbor.encode({ type: "join", senderId: `desk:other:${"ж".repeat(100)}`, peerMetadata: {} })),
      false,
    ],
  ]

  it.each(frames)("answers %s with an error and closes only that socket", async (_name, send, join) => {
    const { code, replies } = await attack(send, { join })
    expect(code).toBe(1008)
    expect(replies.filter(r => r.type === "error")).toHaveLength(1)
  })

  it("closes a socket that sends an oversized frame (1009)", async () => {
    const { code } = await attack(ws => ws.send(randomBytes(MAX + 1024)))
    expect(code).toBe(1009)
  })

  it("keeps two desks syncing an edit while bad frames arrive from other sockets", async () => {
    const [a, b] = desks.map(d => d.repo) as [TestDesk["repo"], TestDesk["repo"]]
    const root = createDoc<RootDoc>(a, "c1", "root")
    await eventually("the relay to acknowledge desk A's root", () => relayHas(a, root, relay), 30_000)
    const onB = await b.find<RootDoc>(root.documentId)

    for (const [, send, join] of frames) await attack(send, { join })
    await attack(ws => ws.send(randomBytes(MAX + 1)))

    root.change(d => {
      d.partitions["appointments/2026-12"] = true
    })
    await eventually(
      "desk B to see desk A's partition appointments/2026-12 after the malformed frames",
      () => onB.doc().partitions["appointments/2026-12"] === true,
      30_000,
    )
    expect(relay.health()).toMatchObject({ ok: true, peers: 2 })
    expect(relay.adapter.peerIds.sort()).toEqual([a.peerId, b.peerId].sort())
  })
})
