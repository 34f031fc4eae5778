import { Repo, type PeerId } from "@automerge/automerge-repo"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import * as fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { LanNetwork } from "../../src/lan/LanNetwork.js"
import type { LanIdentity } from "../../src/lan/lanTls.js"

const CLINIC = "clinic-peer"

interface Desk {
  id: string
  repo: Repo
  lan: LanNetwork
  log: string[]
}

const identity = async (ca: ClinicCa, deskId: string): Promise<LanIdentity> => {
  const keys = generateDeskKeys()
  return { clinicId: CLINIC, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } }
}

/** Honest desk ids: what a registry may name a desk (1-64 of A-Z a-z 0-9 _ -), here all starting with "h". */
const honestIds = (n: number): string[] =>
  fc.sample(fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), { minLength: n, maxLength: n }), 1)[0]!.map(s => `h${s}`)

describe("over the LAN a peer's peer id is the desk its certificate names (issue 15)", () => {
  const desks: Desk[] = []
  afterEach(async () => {
    for (const d of desks.splice(0)) {
      d.repo.networkSubsystem.disconnect()
      await d.lan.close()
    }
  })

  /** A desk with a certificate for `certDesk` whose Repo joins as `peerId`. */
  const start = async (ca: ClinicCa, certDesk: string, peerId: string, port: number, peers: string[]): Promise<Desk> => {
    const log: string[] = []
    const lan = await LanNetwork.start(await identity(ca, certDesk), { port, host: "127.0.0.1", peers, log: l => log.push(l) })
    const repo = new Repo({ network: lan.adapters, peerId: peerId as PeerId, isEphemeral: true, sharePolicy: async () => true })
    const desk = { id: certDesk, repo, lan, log }
    desks.push(desk)
    return desk
  }

  it("a desk certified as X that joins as desk Y is refused, dialling and listening; honest desks sync", async () => {
    const ca = await createClinicCa(CLINIC)
    const ids = honestIds(3)
    // "a-liar" sorts before every "h..." id (it dials the honest desks), "z-liar" after (they dial it)
    const liarIds = ["a-liar", "z-liar"]
    const ports = await Promise.all([...ids, ...liarIds].map(() => freePort()))
    const all = ports.map(p => `127.0.0.1:${p}`)
    const honest: Desk[] = []
    for (const [i, id] of ids.entries()) honest.push(await start(ca, id, `desk:${id}:${i}`, ports[i]!, all))
    // each liar holds a valid certificate of the clinic, for itself, and claims the first honest desk's peer id
    const claimed = `desk:${ids[0]!}:lie`
    const liars: Desk[] = []
    for (const [i, id] of liarIds.entries()) liars.push(await start(ca, id, claimed, ports[ids.length + i]!, all))

    const deskPeers = (d: Desk): string[] => d.repo.peers.filter(p => p.startsWith("desk:"))
    await eventually("every honest desk connected with every other", () => honest.every(d => deskPeers(d).length === ids.length - 1), 20_000)
    // the listening honest desks refuse a-liar's join; the dialling honest desks refuse z-liar's answer
    await eventually(
      "each honest desk to refuse a-liar at its server and z-liar when dialling it",
      () =>
        honest.every(
          d =>
            d.log.some(l => l.includes("refusing") && l.includes(`does not belong to desk a-liar@${CLINIC}`)) &&
            d.log.some(l => l.startsWith("peer refused:") && l.includes("does not belong to desk z-liar")),
        ),
      20_000,
    )

    const doc = honest[0]!.repo.create<{ note?: string }>({ note: "honest" })
    const copies = await Promise.all(honest.slice(1).map(d => d.repo.find<{ note?: string }>(doc.url)))
    doc.change(d => void (d.note = "edited"))
    await eventually("the edit on the other honest desks", () => copies.every(h => h.doc().note === "edited"), 10_000)

    for (const d of honest) expect(d.repo.peers).not.toContain(claimed)
    // a-liar only dials, and every honest server refused its join before answering: it never had a peer.
    // z-liar runs the honest listener, so it accepts an honest desk's join for the moment before that desk
    // reads z-liar's answer and hangs up (and redials on its back-off): its peer list is not ours to assert.
    expect(deskPeers(liars[0]!)).toEqual([])
    for (const l of liars) expect(l.repo.handles[doc.documentId]).toBeUndefined()
  })
})
