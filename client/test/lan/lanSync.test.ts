import * as tls from "node:tls"
import * as A from "@automerge/automerge"
import { Repo, type DocHandle, type PeerId } from "@automerge/automerge-repo"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { LanNetwork } from "../../src/lan/LanNetwork.js"
import type { LanIdentity } from "../../src/lan/lanTls.js"

interface Desk {
  id: string
  repo: Repo
  lan: LanNetwork
  log: string[]
}
type Note = { title?: string }

const identity = async (ca: ClinicCa, clinicId: string, deskId: string): Promise<LanIdentity> => {
  const keys = generateDeskKeys()
  return { clinicId, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } }
}

describe("LAN sync between desks of one clinic (issue 15)", () => {
  const desks: Desk[] = []
  afterEach(async () => {
    for (const d of desks.splice(0)) {
      d.repo.networkSubsystem.disconnect()
      await d.lan.close()
    }
  })

  const start = async (id: LanIdentity, port: number, peers: string[]): Promise<Desk> => {
    const log: string[] = []
    const lan = await LanNetwork.start(id, { port, host: "127.0.0.1", peers, log: l => log.push(l) })
    const repo = new Repo({ network: lan.adapters, peerId: `desk:${id.deskId}:${port}` as PeerId, isEphemeral: true, sharePolicy: async () => true })
    const desk = { id: id.deskId, repo, lan, log }
    desks.push(desk)
    return desk
  }
  const deskPeers = (d: Desk): string[] => d.repo.peers.filter(p => p.startsWith("desk:"))

  it("three desks sync edits and show a conflicting edit on all three; forged and certificate-less peers get nothing", async () => {
    const ca = await createClinicCa("clinic-1")
    const ports = [await freePort(), await freePort(), await freePort()]
    const all = ports.map(p => `127.0.0.1:${p}`)
    const [a, b, c] = [
      await start(await identity(ca, "clinic-1", "desk-a"), ports[0]!, all),
      await start(await identity(ca, "clinic-1", "desk-b"), ports[1]!, all),
      await start(await identity(ca, "clinic-1", "desk-c"), ports[2]!, all),
    ] as [Desk, Desk, Desk]
    await eventually("every desk to be connected with the two others over TLS", () => [a, b, c].every(d => deskPeers(d).length === 2), 20_000)

    // an edit on A shows on B and C
    const onA = a.repo.create<Note>({ title: "first" })
    const onB = await b.repo.find<Note>(onA.url)
    const onC = await c.repo.find<Note>(onA.url)
    const t0 = performance.now()
    onA.change(d => void (d.title = "edited on A"))
    await eventually("A's edit on B and C", () => onB.doc().title === "edited on A" && onC.doc().title === "edited on A", 10_000)
    console.log(`LAN edit latency A -> B, C (loopback): ${(performance.now() - t0).toFixed(1)} ms`)

    // a conflicting edit of one field on A and B (neither has seen the other's) shows on all three
    onA.change(d => void (d.title = "A's title"))
    onB.change(d => void (d.title = "B's title"))
    const conflicted = (h: DocHandle<Note>): boolean => Object.keys(A.getConflicts(h.doc(), "title") ?? {}).length === 2
    await eventually("the conflict on A, B and C", () => [onA, onB, onC].every(conflicted), 10_000)
    expect(new Set([onA, onB, onC].map(h => h.doc().title)).size).toBe(1)

    // a desk of another clinic (its own CA), and one with a self-made CA under our clinic's name
    const foreign = await start(await identity(await createClinicCa("clinic-2"), "clinic-2", "desk-0"), await freePort(), all)
    const impostor = await start(await identity(await createClinicCa("clinic-1"), "clinic-1", "desk-0"), await freePort(), all)
    await eventually(
      "each of A, B and C to refuse both at TLS",
      () => [a, b, c].every(d => d.log.filter(l => l.startsWith("LAN peer refused at TLS")).length >= 2),
      20_000,
    )
    // refused dialling out, too: neither accepts A, B or C's certificate
    await eventually(
      "the forged desks to refuse the honest desks' certificates",
      () => [foreign, impostor].every(d => d.log.some(l => /certificate|self.signed|verify/i.test(l))),
      20_000,
    )
    expect(deskPeers(foreign)).toEqual([])
    expect(deskPeers(impostor)).toEqual([])
    for (const d of [a, b, c]) expect(deskPeers(d).filter(p => p.startsWith("desk:desk-0"))).toEqual([])
    expect(foreign.repo.handles[onA.documentId]).toBeUndefined()

    // no certificate at all: the TLS handshake fails, not a byte of the clinic's
    const refused = await new Promise<string>(resolve => {
      const s = tls.connect({ host: "127.0.0.1", port: ports[0]!, ca: ca.certPem, checkServerIdentity: () => undefined })
      const data: Buffer[] = []
      s.on("secureConnect", () => s.write("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"))
      s.on("data", d => data.push(d))
      s.on("error", e => resolve(`error: ${e.message}`))
      s.on("close", () => resolve(Buffer.concat(data).toString()))
      s.setTimeout(5_000, () => s.destroy())
    })
    expect(refused).not.toMatch(/101 Switching/)
  })
})
