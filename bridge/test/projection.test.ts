import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Bridge } from "../src/Bridge.js"
import { projectDocument } from "../src/projection/projectDocument.js"
import { openDoc } from "../src/sync/openDoc.js"
import { docIdFor, clientShardKey, recordToDoc, shardOf, type Client, type ClientShardDoc } from "@vetsync/shared"
import { edit, makeAppointment, makeClient, makeInvoice, makePatient, put } from "./helpers/records.js"
import { useTestDatabase } from "@vetsync/db/testing"

const CLINIC = "clinic-p"
const db = useTestDatabase()

const versions = async (table: string): Promise<Map<string, number>> =>
  new Map(
    (await db.pool.query<{ id: string; row_version: number }>(`SELECT id, row_version FROM ${table}`)).rows.map(r => [
      r.id,
      r.row_version,
    ]),
  )

describe("documents → PostgreSQL", () => {
  let repo: Repo
  let bridge: Bridge
  beforeAll(async () => {
    repo = new Repo({ network: [] })
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
    await bridge.addClinic(CLINIC, "Test clinic")
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("projects a desk's client, patient, appointment and invoice as rows", async () => {
    const c = makeClient("desk-a", { name: "Anna Smirnova" })
    const p = makePatient(c.id, "desk-a", { name: "Rex", species: "dog", breed: "husky" })
    const a = makeAppointment(c, p)
    const inv = makeInvoice(c, p)
    await put(repo, CLINIC, "clients", c)
    await put(repo, CLINIC, "patients", p)
    await put(repo, CLINIC, "appointments", a)
    await put(repo, CLINIC, "invoices", inv)
    await bridge.idle()

    const client = (await db.pool.query("SELECT * FROM clients WHERE id = $1", [c.id])).rows[0]
    expect(client).toMatchObject({
      name: "Anna Smirnova",
      phone: c.phone,
      clinic_id: CLINIC,
      created_by: "desk-a",
      deleted_at: null,
    })
    expect((client.updated_at as Date).toISOString()).toBe(c.updatedAt)
    const patient = (await db.pool.query("SELECT * FROM patients WHERE id = $1", [p.id])).rows[0]
    expect(patient).toMatchObject({ client_id: c.id, species: "dog", breed: "husky", birth_date: "2020-05-01" })
    const appt = (await db.pool.query("SELECT * FROM appointments WHERE id = $1", [a.id])).rows[0]
    expect(appt).toMatchObject({ vet: "Dr. Sidorova", status: "scheduled", patient_id: p.id })
    expect((appt.starts_at as Date).toISOString()).toBe(a.start)
    const invoice = (await db.pool.query("SELECT * FROM invoices WHERE id = $1", [inv.id])).rows[0]
    expect(invoice).toMatchObject({ number: inv.number, total_kopecks: inv.total, status: "issued" })
    const items = (await db.pool.query("SELECT * FROM invoice_items WHERE invoice_id = $1 ORDER BY line_no", [inv.id]))
      .rows
    expect(items.map(i => [i.code, Number(i.price_kopecks), i.qty_milli, Number(i.total_kopecks)])).toEqual(
      inv.lines.map(l => [l.code, l.price, l.qtyMilli, l.total]),
    )
    expect((await db.pool.query("SELECT id FROM desks")).rows.map(r => r.id)).toContain("desk-a")
    expect((await db.pool.query("SELECT count(*)::int AS n FROM rejections")).rows[0].n).toBe(0)
  })

  it("one edit in a shard of a thousand clients writes exactly one row", async () => {
    const clients: Client[] = []
    while (clients.length < 1000) {
      const c = makeClient("desk-a", { name: `Client ${clients.length}` })
      if (shardOf(c.id) === 7) clients.push(c)
    }
    // a desk's shard of a thousand clients, written in one change
    const shard = await openDoc<ClientShardDoc>(repo, CLINIC, "clients/7")
    shard.change(d => {
      for (const c of clients) d.clients[c.id] = recordToDoc({ ...c }) as unknown as ClientShardDoc["clients"][string]
    })
    await bridge.idle()
    const before = await versions("clients")
    const target = clients[500]!
    await edit(repo, CLINIC, "clients", target, { phone: "+7 911 000-00-00" })
    await bridge.idle()
    const after = await versions("clients")
    const changed = [...after].filter(([id, v]) => before.get(id) !== v).map(([id]) => id)
    expect(changed).toEqual([target.id])
    expect(after.size).toBe(before.size)
    expect((await db.pool.query("SELECT phone FROM clients WHERE id = $1", [target.id])).rows[0].phone).toBe(
      "+7 911 000-00-00",
    )
  })

  it("projecting again changes nothing, even from scratch", async () => {
    const key = clientShardKey(makeClient().id)
    const docId = docIdFor(CLINIC, key)
    const handle = await openDoc(repo, CLINIC, key)
    const again = await projectDocument(bridge.pool, { clinicId: CLINIC, docKey: key, docId, doc: () => handle.doc() })
    expect(again.upToDate).toBe(true)

    const before = await versions("clients")
    await db.pool.query("DELETE FROM projection_heads")
    bridge.projector.projectAll()
    await bridge.idle()
    expect(await versions("clients")).toEqual(before)
    expect((await db.pool.query("SELECT count(*)::int AS n FROM projection_heads")).rows[0].n).toBeGreaterThan(64)
  })
})
