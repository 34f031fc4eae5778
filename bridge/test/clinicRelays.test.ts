import type { Message, PeerId } from "@automerge/automerge-repo"
import { docIdFor, monthKeysAround, allShardKeys, FIXED_KEYS, type DocKey } from "@vetsync/shared"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared/net"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { aliasOf, ClinicConnection, clinicOfAlias } from "../src/relay/ClinicConnection.js"
import { ClinicRelays } from "../src/relay/ClinicRelays.js"

/** Honest names: what the registry accepts for clinics and relays (1-64 of A-Z a-z 0-9 _ -). */
const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)
/** A key of a clinic's layout: fixed, a client shard, or a month partition within ten years of now. */
const keys: DocKey[] = [...FIXED_KEYS, ...allShardKeys(), ...monthKeysAround(new Date(), 9, 9)]
const key = fc.constantFrom(...keys)

describe("the bridge's clinic connections", () => {
  it("know each clinic's relay by its alias, and nothing else as one", () => {
    fc.assert(
      fc.property(name, name, (relay, clinic) => {
        expect(clinicOfAlias(aliasOf(`relay:${relay}` as PeerId, clinic))).toBe(clinic)
      }),
    )
    fc.assert(
      fc.property(name, name, (who, suffix) => {
        for (const peerId of [`desk:${who}:${suffix}`, `service:${who}:${suffix}`, `relay:${who}`])
          expect(clinicOfAlias(peerId as PeerId)).toBeUndefined()
      }),
    )
  })

  it("share a clinic's documents with its relay only, and everything with other peers", () => {
    const relays = new ClinicRelays({ url: "ws://127.0.0.1:1/sync", name: "bridge" })
    fc.assert(
      fc.property(name, name, name, key, (relay, mine, other, k) => {
        fc.pre(mine !== other)
        const alias = aliasOf(`relay:${relay}` as PeerId, mine)
        expect(relays.shares(alias, docIdFor(mine, k))).toBe(true)
        expect(relays.shares(alias, docIdFor(other, k))).toBe(false)
        expect(relays.shares(`relay:${relay}` as PeerId, docIdFor(other, k))).toBe(true)
      }),
      { numRuns: 30 },
    )
  })

  it("present the relay as the clinic's peer: messages readdressed, others' and ephemeral ones dropped", () => {
    const socket = new ResilientWebSocketClientAdapter("ws://127.0.0.1:1/sync")
    const connection = new ClinicConnection("c1", socket)
    const seen: { event: string; peerId?: string; message?: Message }[] = []
    connection.on("peer-candidate", ({ peerId }) => seen.push({ event: "candidate", peerId }))
    connection.on("peer-disconnected", ({ peerId }) => seen.push({ event: "left", peerId }))
    connection.on("message", message => seen.push({ event: "message", message }))
    connection.peerId = "service:bridge:1" as PeerId
    const relay = "relay:b" as PeerId
    socket.emit("peer-candidate", { peerId: relay, peerMetadata: {} })
    const documentId = docIdFor("c1", "root")
    const sync = { type: "sync", senderId: relay, targetId: "service:bridge:1:c1", documentId, data: new Uint8Array([1]) } as Message
    socket.emit("message", sync)
    socket.emit("message", { ...sync, senderId: "desk:d1:x" } as Message)
    socket.emit("message", { ...sync, type: "ephemeral", count: 1, sessionId: "s" } as Message)
    socket.emit("peer-disconnected", { peerId: relay })
    expect(seen).toEqual([
      { event: "candidate", peerId: "relay:b@c1" },
      { event: "message", message: { ...sync, senderId: "relay:b@c1", targetId: "service:bridge:1" } },
      { event: "left", peerId: "relay:b@c1" },
    ])
    expect(connection.alias).toBeUndefined()
  })
})
