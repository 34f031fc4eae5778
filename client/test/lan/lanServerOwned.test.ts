import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as A from "@automerge/automerge"
import { docIdFor, type ClientShardDoc, type PriceListDoc } from "@vetsync/shared"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { DocStore } from "../../src/core/DocStore.js"
import { LanNetwork } from "../../src/lan/LanNetwork.js"

const CLINIC = "clinic-lan"

const lanDesk = async (ca: ClinicCa, deskId: string, port: number, peers: string[], dir: string) => {
  const keys = generateDeskKeys()
  const lan = await LanNetwork.start(
    { clinicId: CLINIC, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } },
    { port, host: "127.0.0.1", peers },
  )
  const docs = new DocStore({ docsDir: path.join(dir, deskId), clinicId: CLINIC, peerId: `desk:${deskId}:1`, network: lan.adapters })
  return { lan, docs }
}

describe("server-owned documents never pass from desk to desk over the LAN (issue 15)", () => {
  const open: { lan: LanNetwork; docs: DocStore }[] = []
  let dir = ""
  afterEach(async () => {
    for (const d of open.splice(0)) {
      await d.docs.close()
      await d.lan.close()
    }
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("a desk's write to the price list stays on that desk, while its client records reach the other desk", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lan-owned-"))
    const ca = await createClinicCa(CLINIC)
    const ports = [await freePort(), await freePort()]
    const peers = ports.map(p => `127.0.0.1:${p}`)
    const a = await lanDesk(ca, "desk-a", ports[0]!, peers, dir)
    const b = await lanDesk(ca, "desk-b", ports[1]!, peers, dir)
    open.push(a, b)
    const priceOnA = await a.docs.open("pricelist")
    const shardOnA = await a.docs.open("clients/3")
    const priceOnB = await b.docs.open("pricelist")
    const shardOnB = await b.docs.open("clients/3")
    // B writes the price list first (what only the bridge may), then a client record
    await b.docs.change<PriceListDoc>(priceOnB, d => void Reflect.set(d.items, "forged", { code: "X", name: "forged" }))
    await b.docs.change<ClientShardDoc>(shardOnB, d => void Reflect.set(d.clients, "c1", { id: "c1" }))
    await eventually("B's client record on A", () => (shardOnA.doc() as ClientShardDoc).clients.c1 !== undefined, 15_000)
    // and a second round of both, so the price list had every chance to pass
    await b.docs.change<PriceListDoc>(priceOnB, d => void Reflect.set(d.items, "forged2", { code: "Y", name: "forged" }))
    await b.docs.change<ClientShardDoc>(shardOnB, d => void Reflect.set(d.clients, "c2", { id: "c2" }))
    await eventually("B's second client record on A", () => (shardOnA.doc() as ClientShardDoc).clients.c2 !== undefined, 15_000)
    const items = (priceOnA.doc() as PriceListDoc).items
    expect(Object.keys(items)).toEqual([])
  })

  it("a document that is not one of the clinic's (another clinic's by id, or any other) stays on the desk that made it", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lan-foreign-"))
    const ca = await createClinicCa(CLINIC)
    const ports = [await freePort(), await freePort()]
    const peers = ports.map(p => `127.0.0.1:${p}`)
    const a = await lanDesk(ca, "desk-a", ports[0]!, peers, dir)
    const b = await lanDesk(ca, "desk-b", ports[1]!, peers, dir)
    open.push(a, b)
    // B (a desk of the clinic, with its certificate) holds another clinic's shard, by that clinic's id, and a document of no clinic
    const foreignId = docIdFor("clinic-other", "clients/3")
    const foreign = b.docs.repo.import<ClientShardDoc>(A.save(A.from({ clients: { x1: { id: "x1" } } })), { docId: foreignId })
    const stray = b.docs.repo.create<{ junk: string }>({ junk: "x".repeat(1_000) })
    // then a record of the clinic, which must reach A
    const shardOnA = await a.docs.open("clients/3")
    const shardOnB = await b.docs.open("clients/3")
    await b.docs.change<ClientShardDoc>(shardOnB, d => void Reflect.set(d.clients, "c1", { id: "c1" }))
    await eventually("B's client record on A", () => (shardOnA.doc() as ClientShardDoc).clients.c1 !== undefined, 15_000)
    foreign.change(d => void Reflect.set(d.clients, "x2", { id: "x2" }))
    stray.change(d => void (d.junk = "y"))
    await b.docs.change<ClientShardDoc>(shardOnB, d => void Reflect.set(d.clients, "c2", { id: "c2" }))
    await eventually("B's second client record on A", () => (shardOnA.doc() as ClientShardDoc).clients.c2 !== undefined, 15_000)
    for (const id of [foreignId, stray.documentId]) {
      expect(a.docs.repo.handles[id], `A has no handle of ${id}`).toBeUndefined()
      expect(a.docs.storage.hasDocument(id), `A stored nothing of ${id}`).toBe(false)
    }
  })
})
