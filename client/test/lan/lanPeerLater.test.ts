import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { ClientShardDoc } from "@vetsync/shared"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { DocStore } from "../../src/core/DocStore.js"
import { LanNetwork } from "../../src/lan/LanNetwork.js"

const CLINIC = "clinic-later"

/** A desk's documents and its LAN sync with no static peers, wired as OpenDesk wires them: peers added later join the Repo. */
const lanDesk = async (ca: ClinicCa, deskId: string, dir: string) => {
  const keys = generateDeskKeys()
  const lan = await LanNetwork.start(
    { clinicId: CLINIC, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } },
    { port: await freePort(), host: "127.0.0.1", peers: [] },
  )
  const docs = new DocStore({ docsDir: path.join(dir, deskId), clinicId: CLINIC, peerId: `desk:${deskId}:1`, network: lan.adapters })
  lan.onAdapter(a => docs.addNetwork(a))
  lan.onAdapterRemoved(a => docs.removeNetwork(a))
  return { lan, docs }
}

describe("a LAN peer added after the desk started joins its Repo, and leaves it when dropped (issue 15)", () => {
  const open: { lan: LanNetwork; docs: DocStore }[] = []
  let dir = ""
  afterEach(async () => {
    for (const d of open.splice(0)) {
      await d.docs.close()
      await d.lan.close()
    }
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("syncs through a peer added later, disconnects when it is removed, and syncs again when it is added back", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lan-later-"))
    const ca = await createClinicCa(CLINIC)
    const a = await lanDesk(ca, "desk-a", dir)
    const b = await lanDesk(ca, "desk-b", dir)
    open.push(a, b)
    const deskPeers = (d: { docs: DocStore }): number => d.docs.repo.peers.filter(p => p.startsWith("desk:")).length
    const shardOnA = await a.docs.open("clients/5")
    const shardOnB = await b.docs.open("clients/5")
    const address = `127.0.0.1:${b.lan.server.port}`

    a.lan.addPeer(address)
    await eventually("A and B connected", () => deskPeers(a) === 1 && deskPeers(b) === 1, 15_000)
    await b.docs.change<ClientShardDoc>(shardOnB, d => void Reflect.set(d.clients, "c1", { id: "c1" }))
    await eventually("B's record on A", () => (shardOnA.doc() as ClientShardDoc).clients.c1 !== undefined, 15_000)

    a.lan.removePeer(address)
    await eventually("A and B apart once A dropped the peer", () => deskPeers(a) === 0 && deskPeers(b) === 0, 15_000)
    // A's Repo keeps its listening end only
    expect(a.docs.repo.networkSubsystem.adapters).toHaveLength(1)

    a.lan.addPeer(address)
    await eventually("A and B connected again", () => deskPeers(a) === 1 && deskPeers(b) === 1, 15_000)
    await b.docs.change<ClientShardDoc>(shardOnB, d => void Reflect.set(d.clients, "c2", { id: "c2" }))
    await eventually("B's second record on A", () => (shardOnA.doc() as ClientShardDoc).clients.c2 !== undefined, 15_000)
  })
})
