import { randomUUID } from "node:crypto"
import { join } from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { RelayServer } from "@vetsync/sync-server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  clientShardKey,
  docIdFor,
  isLeanDoc,
  priceItemsOfDoc,
  readRecord,
  rejectionsOfDoc,
  type Client,
  type ClientShardDoc,
  type PriceListDoc,
  type RejectionsDoc,
} from "@vetsync/shared"
import { Bridge, setPrice } from "@vetsync/bridge"
import {
  edit,
  keyOf,
  makeAppointment,
  makeClient,
  makeInvoice,
  makePatient,
  put,
} from "@vetsync/bridge/test-helpers/records.js"
import { useTestDatabase } from "@vetsync/db/testing"
import { eventually } from "@vetsync/test-kit"

const CLINIC = "clinic-e2e"
const db = useTestDatabase()

describe("end to end: desk → relay → bridge → PostgreSQL and back", () => {
  let relay: RelayServer
  let bridge: Bridge
  let desk: Repo
  let deskUrl = ""
  const row = async (table: string, id: string) =>
    (await db.pool.query(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0]

  beforeAll(async () => {
    relay = await RelayServer.start({ port: 0, dataDir: join(db.dir, "relay"), clinics: [CLINIC] })
    const url = relay.syncUrl
    await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [CLINIC])
    await setPrice(db.pool, CLINIC, { code: "VAC", name: "Vaccination", price: 150000 })
    bridge = await Bridge.start({
      dataDir: join(db.dir, "bridge"),
      databaseUrl: db.url,
      name: "bridge",
      network: [new WebSocketClientAdapter(`${url}?clinic=all&desk=bridge&role=service`)],
    })
    // the desk starts offline
    desk = new Repo({ network: [], peerId: "desk:d1:test" as PeerId })
    deskUrl = `${url}?clinic=${CLINIC}&desk=d1`
  })
  afterAll(async () => {
    await desk?.shutdown().catch(() => {})
    await bridge?.stop()
    await relay?.close()
  })

  it("a desk's offline records appear as rows after it connects; one edit changes one row; rejections and prices reach the desk", async () => {
    const c = makeClient("d1")
    const p = makePatient(c.id, "d1")
    const a = makeAppointment(c, p, "d1")
    const inv = makeInvoice(c, p, "d1")
    const bad = makeInvoice(c, p, "d1", { total: 1 })
    await put(desk, CLINIC, "clients", c)
    await put(desk, CLINIC, "patients", p)
    await put(desk, CLINIC, "appointments", a)
    await put(desk, CLINIC, "invoices", inv)
    await put(desk, CLINIC, "invoices", bad)

    desk.networkSubsystem.addNetworkAdapter(new WebSocketClientAdapter(deskUrl))
    await eventually(
      "the desk's invoice and appointment in PostgreSQL",
      async () => (await row("invoices", inv.id)) !== undefined && (await row("appointments", a.id)) !== undefined,
      60_000,
    )
    expect(await row("clients", c.id)).toMatchObject({ name: c.name, created_by: "d1" })
    expect(await row("patients", p.id)).toMatchObject({ name: p.name })
    // the bridge keeps the record documents it follows lean, those a peer sent it too; not the server-owned ones
    for (const key of [keyOf("clients", c), keyOf("invoices", inv)])
      expect(isLeanDoc(bridge.repo.handles[docIdFor(CLINIC, key)]!.doc()), key).toBe(true)
    expect(isLeanDoc(bridge.repo.handles[docIdFor(CLINIC, "pricelist")]!.doc())).toBe(false)

    await edit(desk, CLINIC, "clients", c, { name: "Renamed on desk" }, "d1")
    await eventually(
      "the desk's rename in PostgreSQL",
      async () => (await row("clients", c.id)).name === "Renamed on desk",
      30_000,
    )
    await bridge.idle()
    expect((await row("clients", c.id)).row_version).toBe(2)
    expect((await row("patients", p.id)).row_version).toBe(1)

    const rejections = await desk.find<RejectionsDoc>(docIdFor(CLINIC, "rejections"))
    const seen = await eventually(
      "the rejection on the desk",
      () => rejectionsOfDoc(rejections.doc()).find(r => r.key === `invoices/${bad.id}`),
      30_000,
    )
    expect(seen.reason).toContain("total")

    const prices = await desk.find<PriceListDoc>(docIdFor(CLINIC, "pricelist"))
    await eventually(
      "the price list on the desk",
      () => priceItemsOfDoc(prices.doc()).find(i => i.code === "VAC")?.price === 150000,
      30_000,
    )
    await db.pool.query("UPDATE nomenclature SET price_kopecks = 160000 WHERE code = 'VAC'")
    await eventually(
      "the new price on the desk",
      () => priceItemsOfDoc(prices.doc()).find(i => i.code === "VAC")?.price === 160000,
      30_000,
    )
    expect(
      Number(
        (
          await db.pool.query("SELECT price_kopecks FROM invoice_items WHERE invoice_id = $1 AND code = 'VAC'", [
            inv.id,
          ])
        ).rows[0].price_kopecks,
      ),
    ).toBe(150000)
  })

  it("a client inserted by SQL reaches the desk; its edit on the desk comes back to the row once", async () => {
    const id = randomUUID()
    await db.pool.query("INSERT INTO clients (id, clinic_id, name) VALUES ($1, $2, 'From the web')", [id, CLINIC])
    const shard = await desk.find<ClientShardDoc>(docIdFor(CLINIC, clientShardKey(id)))
    const onDesk = await eventually(
      "the SQL client on the desk",
      () => readRecord(shard.doc(), "clients", id)?.record as Client | undefined,
      30_000,
    )
    expect(onDesk.name).toBe("From the web")
    await edit(desk, CLINIC, "clients", onDesk, { phone: "+7 999 111-22-33" }, "d1")
    await eventually(
      "the desk's phone edit in PostgreSQL",
      async () => (await row("clients", id)).phone === "+7 999 111-22-33",
      30_000,
    )
    await bridge.idle()
    expect((await row("clients", id)).row_version).toBe(2)
    const log = (await db.pool.query("SELECT op FROM change_log WHERE entity_id = $1", [id])).rows
    expect(log).toEqual([{ op: "INSERT" }])
  })
})
