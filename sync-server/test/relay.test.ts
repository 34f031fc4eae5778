import { gunzipSync } from "node:zlib"
import * as http from "node:http"
import { cbor, type PeerId, type Repo } from "@automerge/automerge-repo"
import { ClinicLayout, docIdFor, imm, readSnapshot, type ClientShardDoc, type RootDoc } from "@vetsync/shared"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
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

interface Ctx {
  dir: string
  relay: RelayServer
  desks: TestDesk[]
}

const desk = (ctx: Ctx, clinic: string, name: string): Repo => {
  const d = stockDesk(ctx.relay, clinic, name, `${ctx.dir}/${name}-${ctx.desks.length}`)
  ctx.desks.push(d)
  return d.repo
}

const getJson = (
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers }, res => {
        const chunks: Buffer[] = []
        res.on("data", c => chunks.push(c as Buffer))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }))
      })
      .on("error", reject)
  })

describe("RelayServer", () => {
  let ctx: Ctx
  beforeEach(async () => {
    const dir = makeTemp("relay")
    ctx = { dir, relay: await RelayServer.start({ dataDir: `${dir}/relay`, name: "t" }), desks: [] }
  })
  afterEach(async () => {
    for (const d of ctx.desks) await d.close()
    await ctx.relay.close()
    rmTemp(ctx.dir)
  })

  it("answers /health with peers and documents", async () => {
    const a = desk(ctx, "c1", "a")
    const root = createDoc<RootDoc>(a, "c1", "root")
    await eventually("the relay to acknowledge desk a's root", () => relayHas(a, root, ctx.relay), 30_000)
    const res = await getJson(`${ctx.relay.url}/health`)
    expect(res.status).toBe(200)
    const body = JSON.parse(res.body.toString()) as { ok: boolean; peers: number; documents: number; uptimeSec: number }
    expect(body.ok).toBe(true)
    expect(body.peers).toBe(1)
    expect(body.documents).toBe(1)
    expect(typeof body.uptimeSec).toBe("number")
  })

  it("refuses an unauthenticated upgrade with 401 and other paths with 404", async () => {
    await expect(rawSocket(`${ctx.relay.syncUrl}?clinic=c1`)).rejects.toThrow(/401/)
    await expect(rawSocket(`ws://127.0.0.1:${ctx.relay.port}/other?clinic=c1&desk=a`)).rejects.toThrow(/404/)
    const ok = await rawSocket(syncUrlOf(ctx.relay, "c1", "a"))
    ok.close()
  })

  it("relays an edit between two desks of a clinic", async () => {
    const a = desk(ctx, "c1", "a")
    const b = desk(ctx, "c1", "b")
    const root = createDoc<RootDoc>(a, "c1", "root")
    root.change(d => {
      d.partitions["appointments/2026-11"] = true
    })
    await eventually("the relay to acknowledge desk a's root", () => relayHas(a, root, ctx.relay), 30_000)
    const onB = await b.find<RootDoc>(root.documentId)
    await eventually(
      "desk b to see desk a's partition appointments/2026-11",
      () => onB.doc().partitions["appointments/2026-11"] === true,
      30_000,
    )
    onB.change(d => {
      d.partitions["invoices/2026-11"] = true
    })
    await eventually(
      "desk a to see desk b's partition invoices/2026-11",
      () => root.doc().partitions["invoices/2026-11"] === true,
      30_000,
    )
    // both desks end with both partitions, at the same heads
    const both = { "appointments/2026-11": true, "invoices/2026-11": true }
    expect(root.doc().partitions).toMatchObject(both)
    expect(onB.doc().partitions).toMatchObject(both)
    expect([...onB.heads()].sort()).toEqual([...root.heads()].sort())
  })

  it("sends a document that changes while desks are connected to its clinic's desks that never asked for it, and not to another clinic's", async () => {
    const a = desk(ctx, "c1", "a")
    const doc = a.create<{ note: string }>({ note: "from a" })
    await eventually("the relay to acknowledge desk a's document", () => relayHas(a, doc, ctx.relay), 30_000)
    // b and x join after the document was last changed: it is not announced to them when they join
    const b = desk(ctx, "c1", "b")
    const other = desk(ctx, "c2", "x")
    await eventually(
      "desks b and x to join the relay",
      () => b.peers.includes(ctx.relay.peerId) && other.peers.includes(ctx.relay.peerId),
      20_000,
    )
    const before = b.create({ probe: "before" })
    await eventually("the relay to acknowledge desk b's first probe", () => relayHas(b, before, ctx.relay), 30_000)
    expect(b.handles[doc.documentId]).toBeUndefined()
    doc.change(d => {
      d.note = "changed on a"
    })
    // b never calls find: the relay announces the changed document to it
    await eventually(
      "desk b to be sent the changed document",
      () => {
        const h = b.handles[doc.documentId]
        return h?.isReady() === true && (h.doc() as { note?: string }).note === "changed on a"
      },
      30_000,
    )
    const probe = other.create({ probe: true })
    await eventually("the relay to acknowledge desk x's probe document", () => relayHas(other, probe, ctx.relay), 30_000)
    expect(other.handles[doc.documentId]).toBeUndefined()
  })

  it("does not give a desk of clinic B a document of clinic A, while a clinic-A desk gets it", async () => {
    const a = desk(ctx, "A", "a1")
    const a2 = desk(ctx, "A", "a2")
    const b = desk(ctx, "B", "b1")
    const shard = createDoc<ClientShardDoc>(a, "A", "clients/3")
    const free = a.create<{ secret: string }>({ secret: "clinic A only" })
    await eventually(
      "the relay to acknowledge clinic A's shard and free document",
      () => relayHas(a, shard, ctx.relay) && relayHas(a, free, ctx.relay),
      30_000,
    )
    expect(ctx.relay.ownership.ownerOf(free.documentId)).toBe("A")
    await eventually("the clinic-B desk to join the relay", () => b.peers.includes(ctx.relay.peerId), 20_000)
    await expect(b.find(shard.documentId)).rejects.toThrow(/unavailable/)
    await expect(b.find(free.documentId)).rejects.toThrow(/unavailable/)
    const got = await a2.find<{ secret: string }>(free.documentId)
    expect(got.doc().secret).toBe("clinic A only")
    // clinic B cannot claim clinic A's layout documents (deterministic ids) by sending them first
    const squat = [createDoc(b, "A", "pricelist"), createDoc(b, "A", "invoices/2027-03")]
    for (const h of squat) h.change(d => void ((d as unknown as Record<string, unknown>).squatter = "clinic B"))
    const probe = b.create({ probe: true })
    await eventually("the relay to acknowledge desk b's probe document", () => relayHas(b, probe, ctx.relay), 30_000)
    for (const h of squat) expect(ctx.relay.ownership.ownerOf(h.documentId)).toBe("A")
    expect(ctx.relay.ownership.ownerOf(docIdFor("A", "invoices/2027-03"))).toBe("A")
    // clinic A's desk gets the partition as its genesis (the relay has nothing of it), without B's change
    const month = await a2.find<Record<string, unknown>>(docIdFor("A", "invoices/2027-03"))
    expect(month.doc().kind).toBe("invoices")
    expect(month.doc().squatter).toBeUndefined()
  })

  it("refuses a join with another desk's peer id, and a second join of a live peer id", async () => {
    const a = desk(ctx, "c1", "a")
    await eventually("desk a to join the relay", () => a.peers.includes(ctx.relay.peerId), 20_000)

    const spoof = await rawSocket(syncUrlOf(ctx.relay, "c1", "a"))
    const got: unknown[] = []
    spoof.on("message", m => got.push(cbor.decode(new Uint8Array(m as Buffer))))
    spoof.send(cbor.encode({ type: "join", senderId: "desk:b:1", peerMetadata: {}, supportedProtocolVersions: ["1"] }))
    expect(await closed(spoof)).toBe(1008)
    expect(got).toEqual([expect.objectContaining({ type: "error", message: expect.stringMatching(/does not belong/) })])

    const hijack = await rawSocket(syncUrlOf(ctx.relay, "c1", "a"))
    const got2: unknown[] = []
    hijack.on("message", m => got2.push(cbor.decode(new Uint8Array(m as Buffer))))
    hijack.send(cbor.encode({ type: "join", senderId: a.peerId, peerMetadata: {}, supportedProtocolVersions: ["1"] }))
    expect(await closed(hijack)).toBe(1008)
    expect(got2).toEqual([
      expect.objectContaining({ type: "error", message: expect.stringMatching(/already connected/) }),
    ])

    // the original desk keeps its connection and still syncs
    expect(ctx.relay.adapter.peerIds).toEqual([a.peerId])
    const b = desk(ctx, "c1", "b")
    const root = createDoc<RootDoc>(a, "c1", "root")
    root.change(d => {
      d.partitions["invoices/2026-10"] = true
    })
    await eventually("the relay to acknowledge desk a's root", () => relayHas(a, root, ctx.relay), 30_000)
    const onB = await b.find<RootDoc>(root.documentId)
    await eventually(
      "desk b to see desk a's partition invoices/2026-10",
      () => onB.doc().partitions["invoices/2026-10"] === true,
      30_000,
    )
  })

  it("refuses messages whose senderId is not the joined peer", async () => {
    const ws = await rawSocket(syncUrlOf(ctx.relay, "c1", "x"))
    const got: { type?: string; message?: string }[] = []
    ws.on("message", m => got.push(cbor.decode<{ type?: string; message?: string }>(new Uint8Array(m as Buffer))))
    ws.send(cbor.encode({ type: "join", senderId: "desk:x:1", peerMetadata: {}, supportedProtocolVersions: ["1"] }))
    await eventually("the relay to answer the join with a peer frame", () => got.some(m => m.type === "peer"), 20_000)
    ws.send(
      cbor.encode({
        type: "doc-unavailable",
        senderId: "desk:y:1" as PeerId,
        targetId: ctx.relay.peerId,
        documentId: docIdFor("c1", "root"),
      }),
    )
    expect(await closed(ws)).toBe(1008)
    expect(got.filter(m => m.type === "error")).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/senderId/) }),
    ])
  })

  it("serves a clinic snapshot with records and heads, rebuilt after a change, only to that clinic", async () => {
    const a = desk(ctx, "c1", "a")
    const root = createDoc<RootDoc>(a, "c1", "root")
    const clientId = "11111111-1111-4111-8111-111111111111"
    const layout = new ClinicLayout("c1")
    const shardKey = `clients/${0}` as const
    const shard = createDoc<ClientShardDoc>(a, "c1", shardKey)
    const meta = {
      createdAt: imm("2026-11-01T10:00:00Z"),
      updatedAt: imm("2026-11-01T10:00:00Z"),
      createdBy: imm("a"),
      updatedBy: imm("a"),
      deleted: false,
    }
    shard.change(d => {
      d.clients[clientId] = {
        id: imm(clientId),
        name: imm("Ivanova Anna"),
        phone: imm("+7 900 000-00-01"),
        email: imm(""),
        address: imm(""),
        notes: "",
        ...meta,
      }
      d.patients["p1"] = {
        id: imm("p1"),
        clientId: imm(clientId),
        name: imm("Murka"),
        species: imm("cat"),
        breed: imm(""),
        sex: "female",
        birthDate: imm(""),
        chip: imm(""),
        notes: "",
        ...meta,
      }
    })
    const appts = createDoc(a, "c1", "appointments/2026-11")
    root.change(d => {
      d.partitions["appointments/2026-11"] = true
    })
    await eventually(
      "the relay to acknowledge desk a's root, shard and appointments",
      () => [root, shard, appts].every(h => relayHas(a, h, ctx.relay)),
      30_000,
    )

    const url = `${ctx.relay.url}/clinics/c1/snapshot?clinic=c1&desk=a`
    const res = await getJson(url)
    expect(res.status).toBe(200)
    expect(res.headers["content-encoding"]).toBe("gzip")
    const snap = readSnapshot(gunzipSync(res.body).toString())
    expect(snap.clinicId).toBe("c1")
    expect(snap.records.clients.map(c => c.name)).toEqual(["Ivanova Anna"])
    expect(snap.records.patients.map(p => [p.name, p.clientId])).toEqual([["Murka", clientId]])
    expect(snap.docs.root).toEqual({ docId: layout.idOf("root"), heads: [...root.heads()] })
    expect(snap.docs[shardKey]).toEqual({ docId: layout.idOf(shardKey), heads: [...shard.heads()] })
    expect(snap.docs["appointments/2026-11"]?.heads).toEqual([...appts.heads()])

    shard.change(d => {
      d.clients[clientId]!.name = imm("Ivanova Anna S.")
    })
    await eventually("the relay to acknowledge desk a's renamed client", () => relayHas(a, shard, ctx.relay), 30_000)
    let seen = ""
    await eventually(
      "the clinic snapshot to be rebuilt with the renamed client at the shard's new heads",
      async () => {
        const again = readSnapshot(gunzipSync((await getJson(url)).body).toString())
        seen = `client ${again.records.clients[0]?.name}, heads ${again.docs[shardKey]?.heads.join()}`
        return (
          again.records.clients[0]?.name === "Ivanova Anna S." &&
          again.docs[shardKey]?.heads.join() === shard.heads().join()
        )
      },
      30_000,
      { describe: () => seen },
    )

    expect((await getJson(`${ctx.relay.url}/clinics/c1/snapshot?clinic=c2&desk=z`)).status).toBe(403)
    expect((await getJson(`${ctx.relay.url}/clinics/c1/snapshot`)).status).toBe(401)
  })
})
