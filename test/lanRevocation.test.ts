import { Repo, type PeerId } from "@automerge/automerge-repo"
import { Bridge, openDoc } from "@vetsync/bridge"
import { followRevoked, LanNetwork, type LanIdentity } from "@vetsync/client"
import { useTestDatabase } from "@vetsync/db/testing"
import { revokedDesksOfDoc, type ProfileDoc } from "@vetsync/shared"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { clinicAdd, deskAdd, deskRevoke } from "@vetsync/sync-server"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"

/**
 * Revocation over the LAN (issue 15): the registry revokes desk C; the bridge publishes the
 * clinic's revoked desks in its profile document; once desk A has that profile, A drops its
 * connection with C and refuses C's new ones, while B keeps syncing with A.
 */
const db = useTestDatabase()
const CLINIC = "clinic-lanrev"

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

describe("a revoked desk is refused by its LAN peers once they have heard of it", () => {
  const desks: Desk[] = []
  let bridge: Bridge | undefined
  afterAll(async () => {
    await bridge?.stop()
    for (const d of desks.splice(0)) {
      d.repo.networkSubsystem.disconnect()
      await d.lan.close()
    }
  })

  it("revoking C in the registry: A drops and refuses C, B still syncs with A", async () => {
    await clinicAdd(db.pool, CLINIC, "Айболит")
    const ids = [(await deskAdd(db.pool, { clinicId: CLINIC })).deskId, (await deskAdd(db.pool, { clinicId: CLINIC })).deskId, (await deskAdd(db.pool, { clinicId: CLINIC })).deskId]
    const ca = await createClinicCa(CLINIC)
    const ports = [await freePort(), await freePort(), await freePort()]
    const all = ports.map(p => `127.0.0.1:${p}`)
    for (const [i, id] of ids.entries()) {
      const log: string[] = []
      const lan = await LanNetwork.start(await identity(ca, id), { port: ports[i]!, host: "127.0.0.1", peers: all, log: l => log.push(l) })
      const repo = new Repo({ network: lan.adapters, peerId: `desk:${id}:${i}` as PeerId, isEphemeral: true, sharePolicy: async () => true })
      desks.push({ id, repo, lan, log })
    }
    const [a, b, c] = desks as [Desk, Desk, Desk]
    const deskPeers = (d: Desk): string[] => d.repo.peers.filter(p => p.startsWith("desk:"))
    await eventually("the three desks connected with each other", () => desks.every(d => deskPeers(d).length === 2), 20_000)

    // A's copy of the clinic profile comes from the bridge (here the bridge writes into A's repo,
    // standing in for the relay that carries it to A), and A's LAN follows its revoked desks
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo: a.repo })
    const profile = await openDoc<ProfileDoc>(a.repo, CLINIC, "profile")
    followRevoked(profile, a.lan)
    await eventually("the profile published with no revoked desk", () => profile.doc().revokedDesks !== undefined, 20_000)
    expect(revokedDesksOfDoc(profile.doc())).toEqual([])
    expect(deskPeers(a)).toHaveLength(2)

    expect(await deskRevoke(db.pool, c.id)).toBe(true)
    await eventually("C among the profile's revoked desks on A", () => revokedDesksOfDoc(profile.doc()).includes(c.id), 20_000)
    await eventually("A to drop C", () => !deskPeers(a).some(p => p.startsWith(`desk:${c.id}:`)) && !deskPeers(c).some(p => p.startsWith(`desk:${a.id}:`)), 10_000)
    // C keeps trying (or A keeps dialling it): every new connection is refused
    const refusals = (): number => a.log.filter(l => l.includes(`${c.id} is revoked`) || l.includes(`(${c.id}) is a revoked desk`)).length
    const seen = refusals()
    await eventually("A to refuse C's next connection too", () => refusals() > seen, 20_000)
    expect(deskPeers(a).some(p => p.startsWith(`desk:${c.id}:`))).toBe(false)

    // B and A still sync
    expect(deskPeers(a).some(p => p.startsWith(`desk:${b.id}:`))).toBe(true)
    const note = b.repo.create<{ note?: string }>({ note: "from B" })
    const onA = await a.repo.find<{ note?: string }>(note.url)
    note.change(d => void (d.note = "edited on B"))
    await eventually("B's edit on A", () => onA.doc().note === "edited on B", 10_000)
  })
})
