import { createHash } from "node:crypto"
import { cbor, type PeerId } from "@automerge/automerge-repo"
import * as fs from "node:fs"
import {
  contentsOf,
  docIdFor,
  enrolDesk,
  imm,
  loadDeskCredential,
  hashPin,
  priceItemToDoc,
  type ProfileDoc,
  type PriceListDoc,
  type RootDoc,
  type StaffDoc,
} from "@vetsync/shared"
import { sampleProfile } from "@vetsync/test-kit/seed"
import { useTestDatabase } from "@vetsync/db/testing"
import { eventually } from "@vetsync/test-kit"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
import { PgAuthenticator } from "../src/registry/PgAuthenticator.js"
import { clinicAdd, deskAdd, deskList, deskRevoke, enrol, serviceAdd } from "../src/registry/commands.js"
import { clinicShow } from "../src/registry/clinicProfile.js"
import { registryCommand } from "../src/registry/registryCommand.js"
import { credentialDesk, postEnrol, request } from "./registrySupport.js"
import { closed, createDoc, makeTemp, relayHas, rmTemp, type TestDesk } from "./support.js"

const reg = useTestDatabase({ prefix: "registry" })

/** Opens a socket with these headers; resolves when open, rejects with the refused status. */
const socketWith = (url: string, headers: Record<string, string>): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once("open", () => resolve(ws))
    ws.once("error", reject)
  })

const bearer = (credential: string): Record<string, string> => ({ authorization: `Bearer ${credential}` })

const joinFrame = (peerId: string): Uint8Array =>
  cbor.encode({ type: "join", senderId: peerId, peerMetadata: {}, supportedProtocolVersions: ["1"] })

/** Adds a desk to a clinic and enrols it through the relay; returns its credential. */
const enrolled = async (relay: RelayServer, clinicId: string, deskId: string): Promise<string> => {
  const { enrolmentToken } = await deskAdd(reg.pool, { clinicId, deskId })
  const res = await postEnrol(relay, enrolmentToken)
  expect(res.status).toBe(200)
  return (JSON.parse(res.body) as { credential: string }).credential
}

describe("desk registry and PgAuthenticator on a real relay", () => {
  let dir: string
  let relay: RelayServer
  let desks: TestDesk[]
  const logs: string[] = []
  let n = 0
  /** desk ids are global in the registry: unique per test */
  const id = (name: string): string => `${name}-${n}`

  beforeEach(async () => {
    n++
    dir = makeTemp("registry-relay")
    desks = []
    await clinicAdd(reg.pool, "A", "Clinic A")
    await clinicAdd(reg.pool, "B", "Clinic B")
    const authenticator = await PgAuthenticator.start({ databaseUrl: reg.url, seenEveryMs: 0 })
    relay = await RelayServer.start({
      dataDir: `${dir}/relay`,
      authenticator,
      clinics: ["A", "B"],
      log: l => logs.push(l),
    })
  })
  afterEach(async () => {
    for (const d of desks) await d.close()
    await relay.close()
    rmTemp(dir)
  })

  const desk = (credential: string, peerPrefix: string) => {
    const d = credentialDesk(relay, credential, peerPrefix, `${dir}/desk-${desks.length}`)
    desks.push(d)
    return d
  }

  it("stores only hashes of enrolment tokens and credentials, and lists desks with their last sync", async () => {
    const added = await deskAdd(reg.pool, { clinicId: "A", deskId: id("front"), name: "Front desk" })
    expect(added.enrolmentToken).toMatch(/^vse1\./)
    const secret = added.enrolmentToken.split(".")[2]!
    const row = await reg.pool.query<{ enrol_token_hash: Buffer }>(
      "SELECT enrol_token_hash FROM desk_credentials WHERE desk_id = $1",
      [added.deskId],
    )
    expect(row.rows[0]!.enrol_token_hash).toEqual(createHash("sha256").update(secret).digest())
    const dump = JSON.stringify((await reg.pool.query("SELECT * FROM desk_credentials")).rows)
    expect(dump).not.toContain(secret)
    expect((await deskList(reg.pool, "A")).find(d => d.deskId === added.deskId)).toMatchObject({
      state: "pending",
      name: "Front desk",
      lastSeenAt: null,
    })
    await expect(deskAdd(reg.pool, { clinicId: "A", deskId: added.deskId })).rejects.toThrow(/already registered/)
    await expect(deskAdd(reg.pool, { clinicId: "nowhere" })).rejects.toThrow(/unknown clinic/)

    const credential = (await enrol(reg.pool, added.enrolmentToken))!.credential
    const d = desk(credential, `desk:${added.deskId}`)
    const root = createDoc<RootDoc>(d.repo, "A", "root")
    await eventually("the relay to acknowledge the enrolled desk's root", () => relayHas(d.repo, root, relay), 30_000)
    const listed = (await deskList(reg.pool, "A")).find(x => x.deskId === added.deskId)
    expect(listed?.state).toBe("enrolled")
    expect(listed?.lastSeenAt).toBeInstanceOf(Date)
    const credSecret = credential.split(".")[2]!
    expect(JSON.stringify((await reg.pool.query("SELECT * FROM desk_credentials")).rows)).not.toContain(credSecret)
  })

  it("runs the vetsync clinics/desks/services commands", async () => {
    expect(await registryCommand("clinics", ["add", "C", "--name", "Clinic C"], reg.pool)).toEqual(["clinic C added"])
    expect(await registryCommand("clinics", ["list"], reg.pool)).toContain("C\t0 desk(s)\tClinic C")
    const added = await registryCommand("desks", ["add", "--clinic", "C", "--desk-id", id("cli")], reg.pool)
    expect(added[0]).toBe(`desk ${id("cli")} (code D1) added to clinic C`)
    expect(added[2]).toMatch(/^vse1\./)
    expect((await postEnrol(relay, added[2]!)).status).toBe(200)
    const table = await registryCommand("desks", ["list", "--clinic", "C"], reg.pool)
    expect(table).toHaveLength(2)
    expect(table[0]).toMatch(/^DESK +CODE +CLINIC +STATE +ONLINE +LAST SEEN +WAITING/)
    expect(table[1]).toMatch(new RegExp(`^${id("cli")} +D1 +C +enrolled +offline +20\\d\\d-`))
    const profile = sampleProfile(n)
    const set = await registryCommand(
      "clinics",
      [
        "set",
        "C",
        "--legal-name",
        profile.legalName,
        "--inn",
        profile.inn,
        "--kpp",
        profile.kpp,
        "--ogrn",
        profile.ogrn,
        "--bik",
        profile.bik,
        "--account",
        profile.account,
        "--tz",
        "asia/vladivostok",
      ],
      reg.pool,
    )
    expect(set[0]).toBe("clinic C: profile saved (desks receive it through the bridge)")
    expect(await clinicShow(reg.pool, "C")).toMatchObject({
      name: "Clinic C",
      inn: profile.inn,
      timeZone: "Asia/Vladivostok",
    })
    expect(await registryCommand("clinics", ["show", "C"], reg.pool)).toContain("  --tz           Asia/Vladivostok")
    // the whole profile must hold together: a KPP needs an organisation's INN
    await expect(
      registryCommand("clinics", ["set", "C", "--inn", sampleProfile(n, "entrepreneur").inn], reg.pool),
    ).rejects.toThrow(/kpp is given only with an organisation's 10-digit INN/)
    await expect(registryCommand("clinics", ["set", "nowhere", "--name", "X"], reg.pool)).rejects.toThrow(
      /unknown clinic nowhere/,
    )
    expect(await registryCommand("desks", ["revoke", id("cli")], reg.pool)).toEqual([
      `desk ${id("cli")} revoked: relays disconnect it now`,
    ])
    await expect(registryCommand("desks", ["revoke", id("cli")], reg.pool)).rejects.toThrow(/revoked already/)
    expect((await registryCommand("services", ["add", "bridge"], reg.pool))[1]).toMatch(/^vss1\.bridge\./)
    await expect(registryCommand("desks", ["frobnicate"], reg.pool)).rejects.toThrow(/usage/)
  })

  it("gives each desk a code unique in its clinic: the first free D1, D2 ... or --code, never one taken", async () => {
    const [k, l] = [id("K"), id("L")]
    await clinicAdd(reg.pool, k)
    await clinicAdd(reg.pool, l)
    const codeOf = async (clinicId: string, opts: { code?: string } = {}) =>
      (await deskAdd(reg.pool, { clinicId, ...opts })).code
    expect(await codeOf(k)).toBe("D1")
    expect(await codeOf(k)).toBe("D2")
    expect(await codeOf(l)).toBe("D1")
    expect(await codeOf(k, { code: "FRONT" })).toBe("FRONT")
    expect(await codeOf(k, { code: "D4" })).toBe("D4")
    expect(await codeOf(k)).toBe("D3")
    expect(await codeOf(k)).toBe("D5")
    await expect(codeOf(k, { code: "FRONT" })).rejects.toThrow(/desk code FRONT is taken in clinic/)
    for (const bad of ["d1", "1D", "D-1", "DESK123", "", "Д1", "D 1"])
      await expect(codeOf(k, { code: bad }), bad).rejects.toThrow(/invalid desk code/)
    // a revoked desk's code stays its own: its invoices carry it
    const revoked = (await deskList(reg.pool, k)).find(d => d.code === "D2")!
    await deskRevoke(reg.pool, revoked.deskId)
    expect(await codeOf(k)).toBe("D6")
    await expect(codeOf(k, { code: "D2" })).rejects.toThrow(/taken/)
    // desks added at the same moment still get codes of their own
    const together = await Promise.all(Array.from({ length: 6 }, () => codeOf(l)))
    expect(new Set(together).size).toBe(6)
    expect((await deskList(reg.pool, l)).map(d => d.code).sort()).toEqual(["D1", "D2", "D3", "D4", "D5", "D6", "D7"])

    // enrolment hands the code to the desk, which keeps it in its credential
    const added = await deskAdd(reg.pool, { clinicId: k, code: "REG2" })
    const cred = await enrolDesk(relay.syncUrl, added.enrolmentToken, `${dir}/coded-desk`)
    expect(cred).toMatchObject({ deskId: added.deskId, clinicId: k, deskCode: "REG2" })
    expect(loadDeskCredential(`${dir}/coded-desk`)?.deskCode).toBe("REG2")
  })

  it("lets a desk enrol itself from its ws:// relay URL, keeping the credential in its data directory", async () => {
    const { enrolmentToken } = await deskAdd(reg.pool, { clinicId: "B", deskId: id("self") })
    const deskDir = `${dir}/self-desk`
    expect(loadDeskCredential(deskDir)).toBeUndefined()
    const cred = await enrolDesk(relay.syncUrl, enrolmentToken, deskDir)
    expect(cred).toMatchObject({ deskId: id("self"), clinicId: "B", deskCode: expect.stringMatching(/^D\d+$/) })
    expect(loadDeskCredential(deskDir)).toEqual(cred)
    expect(fs.statSync(`${deskDir}/credential.json`).mode & 0o777).toBe(0o600)
    await expect(enrolDesk(relay.syncUrl, enrolmentToken, `${dir}/thief`)).rejects.toThrow(/refused \(403\)/)
    const d = desk(cred.credential, `desk:${cred.deskId}`)
    await eventually(
      "the self-enrolled desk to join the relay with its credential",
      () => d.repo.peers.includes(relay.peerId),
      20_000,
    )
    expect(relay.adapter.identityOf(d.repo.peerId)).toEqual({ clinicId: "B", deskId: id("self"), role: "desk" })
  })

  it("exchanges an enrolment token once: a second or concurrent exchange is refused", async () => {
    const { enrolmentToken } = await deskAdd(reg.pool, { clinicId: "A", deskId: id("once") })
    const first = await postEnrol(relay, enrolmentToken)
    expect(first.status).toBe(200)
    expect(JSON.parse(first.body)).toMatchObject({ deskId: id("once"), clinicId: "A" })
    expect((await postEnrol(relay, enrolmentToken)).status).toBe(403)

    const race = await deskAdd(reg.pool, { clinicId: "A", deskId: id("race") })
    const both = await Promise.all([postEnrol(relay, race.enrolmentToken), postEnrol(relay, race.enrolmentToken)])
    expect(both.map(r => r.status).sort()).toEqual([200, 403])

    expect((await postEnrol(relay, "vse1.nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(403)
    expect((await request(`${relay.url}/enrol`, { method: "POST", body: "{not json" })).status).toBe(400)
    expect((await request(`${relay.url}/enrol`, { method: "POST", body: "x".repeat(10_000) })).status).toBe(413)
  })

  it("refuses an upgrade without a valid credential (401), and takes the identity from the credential only", async () => {
    const credential = await enrolled(relay, "A", id("a1"))
    const { enrolmentToken } = await deskAdd(reg.pool, { clinicId: "A", deskId: id("pending") })
    const refused = [
      {},
      { "x-vetsync-clinic": "A", "x-vetsync-desk": id("a1") },
      bearer("garbage"),
      bearer(enrolmentToken),
      bearer(`${credential.slice(0, -2)}xx`),
      bearer(credential.replace(id("a1"), id("pending"))),
    ]
    for (const headers of refused) await expect(socketWith(relay.syncUrl, headers)).rejects.toThrow(/401/)
    await expect(socketWith(`${relay.syncUrl}?clinic=B&desk=x&role=service`, {})).rejects.toThrow(/401/)
    expect((await request(`${relay.url}/clinics/A/snapshot`)).status).toBe(401)

    // headers claiming clinic B do not move a clinic-A desk to clinic B
    const spoofHeaders = { ...bearer(credential), "x-vetsync-clinic": "B", "x-vetsync-role": "service" }
    expect((await request(`${relay.url}/clinics/B/snapshot?clinic=B`, { headers: spoofHeaders })).status).toBe(403)
    expect((await request(`${relay.url}/clinics/A/snapshot`, { headers: spoofHeaders })).status).toBe(200)
    const ws = await socketWith(relay.syncUrl, spoofHeaders)
    const replies: { type?: string }[] = []
    ws.on("message", m => replies.push(cbor.decode<{ type?: string }>(new Uint8Array(m as Buffer))))
    ws.send(joinFrame(`desk:${id("a1")}:x`))
    await eventually(
      "the relay to answer the spoofing desk's join with a peer frame",
      () => replies.some(r => r.type === "peer"),
      20_000,
    )
    expect(relay.adapter.identityOf(`desk:${id("a1")}:x` as PeerId)).toEqual({
      clinicId: "A",
      deskId: id("a1"),
      role: "desk",
    })
    ws.close()
  })

  it("refuses a peer id that is not the credential's desk, and a takeover of a live one", async () => {
    const credential = await enrolled(relay, "A", id("a1"))
    await enrolled(relay, "A", id("a2"))
    const honest = desk(credential, `desk:${id("a1")}`)
    await eventually("the honest desk to join the relay", () => honest.repo.peers.includes(relay.peerId), 20_000)
    for (const peerId of [`desk:${id("a2")}:1`, `service:bridge:1`, honest.repo.peerId]) {
      const ws = await socketWith(relay.syncUrl, bearer(credential))
      const replies: { type?: string; message?: string }[] = []
      ws.on("message", m => replies.push(cbor.decode<{ type?: string; message?: string }>(new Uint8Array(m as Buffer))))
      ws.send(joinFrame(peerId))
      expect(await closed(ws)).toBe(1008)
      expect(replies).toEqual([
        expect.objectContaining({ type: "error", message: expect.stringMatching(/does not belong|already connected/) }),
      ])
    }
    expect(relay.adapter.peerIds).toEqual([honest.repo.peerId])
  })

  it("serves a clinic-A desk none of clinic B's documents, even by id; the bridge's service credential sees both", async () => {
    const a = desk(await enrolled(relay, "A", id("a1")), `desk:${id("a1")}`)
    const b = desk(await enrolled(relay, "B", id("b1")), `desk:${id("b1")}`)
    const bRoot = createDoc<RootDoc>(b.repo, "B", "root")
    await eventually("the relay to acknowledge clinic B's root", () => relayHas(b.repo, bRoot, relay), 30_000)
    await eventually("the clinic-A desk to join the relay", () => a.repo.peers.includes(relay.peerId), 20_000)
    await expect(a.repo.find(bRoot.documentId)).rejects.toThrow(/unavailable/)
    // nor can it claim clinic B's deterministic documents by sending them first
    const squat = createDoc(a.repo, "B", "invoices/2026-12")
    const aRoot = createDoc<RootDoc>(a.repo, "A", "root")
    await eventually("the relay to acknowledge clinic A's root", () => relayHas(a.repo, aRoot, relay), 30_000)
    expect(relay.ownership.ownerOf(squat.documentId)).toBe("B")

    const { credential } = await serviceAdd(reg.pool, "bridge")
    const bridge = desk(credential, "service:bridge")
    expect((await bridge.repo.find<RootDoc>(bRoot.documentId)).doc().kind).toBe("root")
    expect((await bridge.repo.find<RootDoc>(aRoot.documentId)).doc().kind).toBe("root")
  })

  it("knows every clinic of the registry: a desk cannot plant records in a clinic none of whose desks has connected", async () => {
    // clinic C is added to the registry while the relay runs (NOTIFY vetsync_clinics); none of its desks exists yet
    await clinicAdd(reg.pool, id("C"), "Clinic C")
    const victim = id("C")
    await eventually(
      `the relay to learn from the registry that clinic ${victim}'s shard is its own`,
      () => relay.ownership.ownerOf(docIdFor(victim, "clients/7")) === victim,
      20_000,
    )
    const a = desk(await enrolled(relay, "A", id("a2")), `desk:${id("a2")}`)
    await eventually("the clinic-A desk to join the relay", () => a.repo.peers.includes(relay.peerId), 20_000)
    // clinic A writes a client into clinic C's (predictable) shard and root
    const planted = createDoc(a.repo, victim, "clients/7")
    planted.change(d => {
      const shard = d as unknown as { clients: Record<string, unknown> }
      shard.clients["planted"] = { id: "planted", name: "Подброшенный Клиент", deleted: false }
    })
    const plantedRoot = createDoc(a.repo, victim, "root")
    // and a document outside any clinic's layout, which nobody may create any more
    const stray = a.repo.create({ stray: true })
    const aRoot = createDoc<RootDoc>(a.repo, "A", "root")
    await eventually(
      "the relay to acknowledge clinic A's root (sent after the planted documents)",
      () => relayHas(a.repo, aRoot, relay),
      30_000,
    )
    for (const h of [planted, plantedRoot, stray]) expect(relayHas(a.repo, h, relay)).toBe(false)
    expect(relay.storage.hasDocument(planted.documentId)).toBe(false)
    expect(relay.storage.hasDocument(stray.documentId)).toBe(false)
    expect(relay.ownership.ownerOf(stray.documentId)).toBeUndefined()

    // clinic C's first desk gets its own shard without the planted client
    const c = desk(await enrolled(relay, victim, id("c1")), `desk:${id("c1")}`)
    const mine = createDoc(c.repo, victim, "clients/7")
    await eventually(
      "the relay to acknowledge the victim clinic's own desk's shard",
      () => relayHas(c.repo, mine, relay),
      30_000,
    )
    const onRelay = await relay.repo.find<{ clients: Record<string, unknown> }>(mine.documentId)
    expect(Object.keys(contentsOf(onRelay.doc()).clients)).toEqual([])
    expect(Object.keys((mine.doc() as unknown as { clients: Record<string, unknown> }).clients)).toEqual([])
  })

  it("cuts a revoked desk off at once and refuses it afterwards; other desks keep syncing", async () => {
    const cred1 = await enrolled(relay, "A", id("a1"))
    const a1 = desk(cred1, `desk:${id("a1")}`)
    const a2 = desk(await enrolled(relay, "A", id("a2")), `desk:${id("a2")}`)
    await eventually("both clinic-A desks to join the relay", () => relay.adapter.peerIds.length === 2, 20_000)
    const victim = await socketWith(relay.syncUrl, bearer(cred1))
    const replies: { type?: string; message?: string }[] = []
    victim.on("message", m =>
      replies.push(cbor.decode<{ type?: string; message?: string }>(new Uint8Array(m as Buffer))),
    )
    victim.send(joinFrame(`desk:${id("a1")}:raw`))
    await eventually(
      "the relay to answer the victim socket's join with a peer frame",
      () => replies.some(r => r.type === "peer"),
      20_000,
    )

    const victimClosed = closed(victim)
    expect(await deskRevoke(reg.pool, id("a1"))).toBe(true)
    // NOTIFY from the trigger reaches the relay, which closes every socket of the desk
    expect(await victimClosed).toBe(1008)
    expect(replies.at(-1)).toMatchObject({ type: "error", message: expect.stringMatching(/revoked/) })
    await eventually(
      "the relay to drop the revoked desk's peer",
      () => !relay.adapter.peerIds.includes(a1.repo.peerId),
      20_000,
    )
    expect(relay.adapter.peerIds).toEqual([a2.repo.peerId])
    await expect(socketWith(relay.syncUrl, bearer(cred1))).rejects.toThrow(/401/)
    expect((await request(`${relay.url}/clinics/A/snapshot`, { headers: bearer(cred1) })).status).toBe(401)
    // the desk's own adapter keeps retrying and keeps being refused
    await eventually(
      "the revoked desk to be refused with 401 at least twice",
      () => a1.errors.filter(e => /401/.test(e)).length >= 2,
      30_000,
    )
    expect(relay.adapter.peerIds).toEqual([a2.repo.peerId])
    expect((await deskList(reg.pool, "A")).find(d => d.deskId === id("a1"))?.state).toBe("revoked")
    expect(await deskRevoke(reg.pool, id("a1"))).toBe(false)

    const a3 = desk(await enrolled(relay, "A", id("a3")), `desk:${id("a3")}`)
    const root = createDoc<RootDoc>(a2.repo, "A", "root")
    root.change(d => void (d.partitions["appointments/2026-12"] = true))
    const onA3 = await a3.repo.find<RootDoc>(root.documentId)
    await eventually(
      "desk a3 to see desk a2's partition appointments/2026-12",
      () => onA3.doc().partitions["appointments/2026-12"] === true,
      30_000,
    )
  })

  it("drops a tampered desk's write to the price list and tells it why; no other desk nor the relay's copy sees it", async () => {
    const { credential } = await serviceAdd(reg.pool, "bridge")
    const bridge = desk(credential, "service:bridge")
    const published = createDoc<PriceListDoc>(bridge.repo, "A", "pricelist")
    const item = {
      id: "consult",
      code: "S001",
      name: "Consultation",
      kind: "service" as const,
      price: 150000,
      unit: "pc",
      active: true,
      updatedAt: "2026-11-01T00:00:00Z",
    }
    published.change(d => void (d.items["consult"] = priceItemToDoc(item)))
    await eventually(
      "the relay to acknowledge the bridge's price list",
      () => relayHas(bridge.repo, published, relay),
      30_000,
    )

    const evil = desk(await enrolled(relay, "A", id("evil")), `desk:${id("evil")}`)
    const honest = desk(await enrolled(relay, "A", id("honest")), `desk:${id("honest")}`)
    const onEvil = await evil.repo.find<PriceListDoc>(published.documentId)
    await eventually(
      "the tampered desk to receive the price item consult",
      () => onEvil.doc().items["consult"] !== undefined,
      30_000,
    )
    // the tampered desk writes straight into the price list through its Repo
    onEvil.change(d => {
      d.items["consult"]!.price = 1
      d.items["free"] = priceItemToDoc({ ...item, id: "free", code: "X", price: 0 })
    })
    await eventually(
      "the relay to drop the tampered desk's change to the price list",
      () => relay.droppedDeskChanges > 0,
      30_000,
    )
    // then edits its clinic's root, which other desks do receive
    const root = createDoc<RootDoc>(evil.repo, "A", "root")
    root.change(d => void (d.partitions["invoices/2026-12"] = true))
    await eventually(
      "the relay to acknowledge the tampered desk's root",
      () => relayHas(evil.repo, root, relay),
      30_000,
    )
    await eventually(
      "the tampered desk to be told the price list is written by the bridge only",
      () => evil.errors.some(e => /written by the bridge only/.test(e)),
      30_000,
    )

    const onHonest = await honest.repo.find<PriceListDoc>(published.documentId)
    const onHonestRoot = await honest.repo.find<RootDoc>(root.documentId)
    await eventually(
      "the honest desk to see the tampered desk's partition invoices/2026-12",
      () => onHonestRoot.doc().partitions["invoices/2026-12"] === true,
      30_000,
    )
    const relayCopy = await relay.repo.find<PriceListDoc>(published.documentId)
    for (const doc of [onHonest.doc(), contentsOf(relayCopy.doc()), published.doc()]) {
      expect(doc.items["consult"]?.price).toBe(150000)
      expect(doc.items["free"]).toBeUndefined()
    }
    // the relay's stored copy (what the bridge reads into PostgreSQL) has the bridge's heads only
    expect(relayCopy.heads()).toEqual(published.heads())
    expect(docIdFor("A", "pricelist")).toBe(published.documentId)

    // the clinic profile is the bridge's too: a desk renaming the clinic or moving its time zone is dropped
    const profile = createDoc<ProfileDoc>(bridge.repo, "A", "profile")
    profile.change(d => {
      d.profile.name = imm("Clinic A")
      d.profile.timeZone = imm("Europe/Moscow")
      d.publishedAt = imm("2026-12-01T00:00:00.000Z")
    })
    await eventually("the relay to hold the bridge's profile", () => relayHas(bridge.repo, profile, relay), 20_000)
    const evilProfile = await evil.repo.find<ProfileDoc>(profile.documentId)
    await eventually(
      "the desk to receive the profile",
      () => evilProfile.doc().profile.timeZone?.val === "Europe/Moscow",
      20_000,
    )
    const dropped = relay.droppedDeskChanges
    evilProfile.change(d => {
      d.profile.timeZone = imm("Asia/Vladivostok")
      d.profile.inn = imm("7707083893")
    })
    await eventually("the relay to drop the desk's profile change", () => relay.droppedDeskChanges > dropped, 20_000)
    root.change(d => void (d.partitions["invoices/2027-01"] = true))
    await eventually(
      "the honest desk to receive the tampered desk's later root change",
      () => onHonestRoot.doc().partitions["invoices/2027-01"] === true,
      20_000,
    )
    const onHonestProfile = await honest.repo.find<ProfileDoc>(profile.documentId)
    const relayProfile = await relay.repo.find<ProfileDoc>(profile.documentId)
    for (const doc of [onHonestProfile.doc(), contentsOf(relayProfile.doc())]) {
      expect(doc.profile.timeZone?.val).toBe("Europe/Moscow")
      expect(doc.profile.inn).toBeUndefined()
    }
    expect(relayProfile.heads()).toEqual(profile.heads())

    // the staff (PIN hashes among them) are the bridge's too: a desk giving a member its own PIN, or
    // adding a member, is dropped exactly like a change to the profile
    const staff = createDoc<StaffDoc>(bridge.repo, "A", "staff")
    const vet = await hashPin("1234", { N: 1024, r: 8, p: 1 })
    staff.change(d => {
      d.members["st-vet"] = {
        id: imm("st-vet"),
        name: imm("Петрова А. В."),
        role: imm("vet"),
        active: true,
        pinHash: imm(vet),
        workingHours: imm("{}"),
      }
      d.publishedAt = imm("2026-12-01T00:00:00.000Z")
    })
    await eventually("the relay to hold the bridge's staff", () => relayHas(bridge.repo, staff, relay), 20_000)
    const evilStaff = await evil.repo.find<StaffDoc>(staff.documentId)
    await eventually("the desk to receive the staff", () => evilStaff.doc().members["st-vet"] !== undefined, 20_000)
    const droppedBefore = relay.droppedDeskChanges
    const own = await hashPin("0000", { N: 1024, r: 8, p: 1 })
    evilStaff.change(d => {
      d.members["st-vet"]!.pinHash = imm(own)
      d.members["st-evil"] = {
        id: imm("st-evil"),
        name: imm("Злой З. З."),
        role: imm("admin"),
        active: true,
        pinHash: imm(own),
        workingHours: imm("{}"),
      }
    })
    await eventually("the relay to drop the desk's staff change", () => relay.droppedDeskChanges > droppedBefore, 20_000)
    await eventually(
      "the tampered desk to be told the staff are written by the bridge only",
      () => evil.errors.some(e => e.includes(staff.documentId) && /written by the bridge only/.test(e)),
      20_000,
    )
    root.change(d => void (d.partitions["invoices/2027-02"] = true))
    await eventually(
      "the honest desk to receive the tampered desk's later root change",
      () => onHonestRoot.doc().partitions["invoices/2027-02"] === true,
      20_000,
    )
    const onHonestStaff = await honest.repo.find<StaffDoc>(staff.documentId)
    const relayStaff = await relay.repo.find<StaffDoc>(staff.documentId)
    for (const doc of [onHonestStaff.doc(), contentsOf(relayStaff.doc())]) {
      expect(doc.members["st-vet"]?.pinHash.val).toBe(vet)
      expect(doc.members["st-evil"]).toBeUndefined()
    }
    expect(relayStaff.heads()).toEqual(staff.heads())
  })
})
