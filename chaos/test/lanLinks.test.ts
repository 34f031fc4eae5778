import { Repo, type PeerId } from "@automerge/automerge-repo"
import { LanNetwork, type LanIdentity } from "@vetsync/client"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"
import { LanLinks } from "../LanLinks.js"

/**
 * The chaos cluster's LAN (LanLinks): three desks' LAN sync (mutual TLS, the clinic CA) through
 * one TcpProxy per pair, each desk dialling only the proxies LanLinks gives it. The certificate
 * checks pass through the proxies' addresses; a partition cuts exactly the links between groups,
 * an isolated desk has no LAN peer, and healing brings every link back.
 */
const CLINIC = "clinic-lanlinks"
// not in index order: the dialler of each pair is the smaller desk id, whatever its index
const IDS = ["desk-c", "desk-a", "desk-b"]

interface Desk {
  repo: Repo
  lan: LanNetwork
}

const identity = async (ca: ClinicCa, deskId: string): Promise<LanIdentity> => {
  const keys = generateDeskKeys()
  return { clinicId: CLINIC, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } }
}

describe("the chaos cluster's LAN links", () => {
  const desks: Desk[] = []
  let links: LanLinks | undefined
  afterAll(async () => {
    for (const d of desks.splice(0)) {
      d.repo.networkSubsystem.disconnect()
      await d.lan.close()
    }
    await links?.close()
  })

  const lanPeers = (i: number): number => desks[i]?.repo.peers.filter(p => p.startsWith("desk:")).length ?? -1
  const connected = (want: number[]) => () => want.every((n, i) => lanPeers(i) === n)

  it("connects every pair through its proxy, partitions by group, isolates a desk, heals", async () => {
    const ca = await createClinicCa(CLINIC)
    links = await LanLinks.start(IDS)
    expect(links.links.map(l => IDS[l.dialer])).toEqual(["desk-a", "desk-b", "desk-a"])
    for (const [i, id] of IDS.entries()) {
      const lan = await LanNetwork.start(await identity(ca, id), { port: links.ports[i] ?? 0, host: "127.0.0.1", peers: links.peersOf(i) })
      const repo = new Repo({ network: lan.adapters, peerId: `desk:${id}:${i}` as PeerId, isEphemeral: true, sharePolicy: async () => true })
      desks.push({ repo, lan })
    }
    const [a, b, c] = desks as [Desk, Desk, Desk]
    await eventually("the three desks connected through the proxies", connected([2, 2, 2]), 30_000)
    expect(links.links.every(l => l.proxy.stats.up > 0 && l.proxy.stats.down > 0)).toBe(true)

    // {0, 1} | {2}: 0 and 1 keep their link, 2 has none; an edit on 0 reaches 1
    links.partition([[0, 1], [2]], "drop")
    expect([0, 1, 2].map(i => links?.reachable(i))).toEqual([1, 1, 0])
    await eventually("desks 0 and 1 together, desk 2 alone", connected([1, 1, 0]), 20_000)
    const note = a.repo.create<{ note?: string }>({ note: "made on 0" })
    const onB = await b.repo.find<{ note?: string }>(note.url)
    note.change(d => void (d.note = "edited on 0 in the partition"))
    await eventually("0's edit on 1 within the group", () => onB.doc().note === "edited on 0 in the partition", 10_000)

    // healed: 2 is back and gets the edit
    links.heal()
    await eventually("every link back after the partition", connected([2, 2, 2]), 30_000)
    const onC = await c.repo.find<{ note?: string }>(note.url)
    await eventually("0's edit on 2 after healing", () => onC.doc().note === "edited on 0 in the partition", 10_000)

    // desk 1 isolated (drop): nobody sees it; healed: everyone again, and 1's edit reaches 2
    links.isolate(1, "drop")
    expect([0, 1, 2].map(i => links?.reachable(i))).toEqual([1, 0, 1])
    await eventually("desk 1 alone", connected([1, 0, 1]), 20_000)
    links.heal()
    await eventually("every link back after isolating desk 1", connected([2, 2, 2]), 30_000)
    onB.change(d => void (d.note = "edited on 1 after healing"))
    await eventually("1's edit on 2", () => onC.doc().note === "edited on 1 after healing", 10_000)

    // a stalled link holds its connection and passes nothing; healed, what waited passes on
    links.isolate(2, "stall")
    onC.change(d => void (d.note = "edited on 2 while stalled"))
    links.heal()
    await eventually("2's edit made while stalled on 0 after healing", () => note.doc().note === "edited on 2 while stalled", 20_000)
  })
})
