import { randomUUID } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  contentsOf,
  DEFAULT_TIME_ZONE,
  appointmentsKey,
  clientShardKey,
  recordsOfDoc,
  allShardKeys,
  type Appointment,
  type Client,
  type Patient,
} from "@vetsync/shared"
import { Bridge } from "../src/Bridge.js"
import { openDoc } from "../src/sync/openDoc.js"
import { edit, readBack } from "./helpers/records.js"
import { eventually } from "@vetsync/test-kit"
import { useTestDatabase } from "@vetsync/db/testing"

const CLINIC = "clinic-web"
const db = useTestDatabase()

describe("rows written by the web system → documents", () => {
  let repo: Repo
  let bridge: Bridge
  const changeLog = async () =>
    (await db.pool.query("SELECT entity, entity_id::text, op FROM change_log ORDER BY id")).rows

  beforeAll(async () => {
    repo = new Repo({ network: [] })
    await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [CLINIC])
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("a client inserted by SQL reaches the documents; its edit in the document comes back to the row once", async () => {
    const id = randomUUID()
    await db.pool.query(
      "INSERT INTO clients (id, clinic_id, name, phone) VALUES ($1, $2, 'Web Client', '+7 495 000-00-01')",
      [id, CLINIC],
    )
    const key = clientShardKey(id)
    const inDoc = await eventually(
      "the SQL client in its shard",
      async () => (await readBack(repo, CLINIC, "clients", id, key)) as Client | undefined,
      20_000,
    )
    expect(inDoc).toMatchObject({ name: "Web Client", phone: "+7 495 000-00-01", createdBy: "web", deleted: false })
    await bridge.idle()
    // the bridge's own write into the document did not come back to the row
    const row0 = (await db.pool.query("SELECT row_version, name FROM clients WHERE id = $1", [id])).rows[0]
    expect(row0.row_version).toBe(1)

    await edit(repo, CLINIC, "clients", inDoc, { name: "Web Client (edited on desk)" }, "desk-7")
    await bridge.idle()
    const row = (await db.pool.query("SELECT row_version, name, updated_by FROM clients WHERE id = $1", [id])).rows[0]
    expect(row).toMatchObject({ row_version: 2, name: "Web Client (edited on desk)", updated_by: "desk-7" })
    // the projector's write was not registered as a web change: nothing echoes back
    expect(await changeLog()).toEqual([{ entity: "clients", entity_id: id, op: "INSERT" }])
    const back = (await readBack(repo, CLINIC, "clients", id, key)) as Client
    expect(back.name).toBe("Web Client (edited on desk)")
    expect(back.updatedBy).toBe("desk-7")
  })

  it("an SQL update and a patient and appointment flow in; a newer desk edit is not overwritten", async () => {
    const clientId = randomUUID()
    const patientId = randomUUID()
    const apptId = randomUUID()
    await db.pool.query("INSERT INTO clients (id, clinic_id, name) VALUES ($1, $2, 'Olga')", [clientId, CLINIC])
    await db.pool.query(
      "INSERT INTO patients (id, clinic_id, client_id, name, species, birth_date) VALUES ($1, $2, $3, 'Murka', 'cat', '2019-03-04')",
      [patientId, CLINIC, clientId],
    )
    await db.pool.query(
      `INSERT INTO appointments (id, clinic_id, client_id, patient_id, vet, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, 'Dr. Web', '2026-12-01T09:00:00Z', '2026-12-01T09:20:00Z')`,
      [apptId, CLINIC, clientId, patientId],
    )
    await db.pool.query("UPDATE clients SET phone = '+7 900 555-55-55' WHERE id = $1", [clientId])
    const key = clientShardKey(clientId)
    const c = await eventually(
      "the SQL phone update in the shard",
      async () => {
        const r = (await readBack(repo, CLINIC, "clients", clientId, key)) as Client | undefined
        return r?.phone === "+7 900 555-55-55" ? r : undefined
      },
      20_000,
    )
    const p = (await readBack(repo, CLINIC, "patients", patientId, key)) as Patient
    expect(p).toMatchObject({ name: "Murka", birthDate: "2019-03-04", clientId })
    // a clinic without a profile: its days are Moscow's (DEFAULT_TIME_ZONE), as on its desks
    const apptKey = appointmentsKey("2026-12-01T09:00:00.000Z", DEFAULT_TIME_ZONE)
    const a = await eventually(
      "the SQL appointment in its month",
      () => readBack(repo, CLINIC, "appointments", apptId, apptKey),
      20_000,
    )
    expect(a).toMatchObject({ vet: "Dr. Web", start: "2026-12-01T09:00:00.000Z", status: "scheduled" })
    await bridge.idle()
    expect((await db.pool.query("SELECT row_version FROM clients WHERE id = $1", [clientId])).rows[0].row_version).toBe(
      2,
    )
    expect((await db.pool.query("SELECT count(*)::int AS n FROM change_log WHERE consumed_at IS NULL")).rows[0].n).toBe(
      0,
    )

    // rescheduled by SQL into another month: it stays in the document it was created in (desks and
    // the bridge find it there by id), with its new start; the row stays live
    await db.pool.query(
      "UPDATE appointments SET starts_at = '2027-01-05T09:00:00Z', ends_at = '2027-01-05T09:30:00Z' WHERE id = $1",
      [apptId],
    )
    await eventually(
      "the rescheduled appointment, still in the document it was created in",
      async () =>
        ((await readBack(repo, CLINIC, "appointments", apptId, apptKey)) as Appointment | undefined)?.start ===
        "2027-01-05T09:00:00.000Z",
      20_000,
    )
    await bridge.idle()
    expect(
      await readBack(
        repo,
        CLINIC,
        "appointments",
        apptId,
        appointmentsKey("2027-01-05T09:00:00.000Z", DEFAULT_TIME_ZONE),
      ),
    ).toBeUndefined()
    const moved = (await db.pool.query("SELECT deleted_at, row_version FROM appointments WHERE id = $1", [apptId]))
      .rows[0]
    expect(moved).toMatchObject({ deleted_at: null, row_version: 2 })

    // the desk edits the name; an older web change of the same row must not undo it
    await edit(repo, CLINIC, "clients", c, { name: "Olga Ivanova" }, "desk-7")
    await bridge.idle()
    expect((await db.pool.query("SELECT name FROM clients WHERE id = $1", [clientId])).rows[0].name).toBe(
      "Olga Ivanova",
    )
  })

  it("imports a clinic's existing rows into its shards, one change each, without projecting them back", async () => {
    const CLINIC2 = "clinic-import"
    await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [CLINIC2])
    // rows that existed before the exchange plan was installed: triggers off, nothing registered
    const raw = await db.pool.connect()
    await raw.query("BEGIN")
    await raw.query("SET LOCAL session_replication_role = replica")
    await raw.query(
      `INSERT INTO clients (clinic_id, name, phone) SELECT $1, 'Client ' || g, '+7 900 ' || lpad(g::text, 7, '0')
       FROM generate_series(1, 3000) g`,
      [CLINIC2],
    )
    await raw.query(
      `INSERT INTO patients (clinic_id, client_id, name, species, breed)
       SELECT clinic_id, id, 'Pet of ' || name, 'dog', 'mixed' FROM clients WHERE clinic_id = $1`,
      [CLINIC2],
    )
    await raw.query("COMMIT")
    raw.release()
    await bridge.idle()
    const result = await bridge.importClinic(CLINIC2)
    expect(result).toMatchObject({ clients: 3000, patients: 3000, written: 6000 })
    await bridge.idle()
    let clients = 0
    let patients = 0
    for (const key of allShardKeys()) {
      const h = await openDoc(repo, CLINIC2, key)
      for (const r of recordsOfDoc(contentsOf(h.doc()))) {
        if (r.collection === "clients") clients++
        else patients++
      }
    }
    expect([clients, patients]).toEqual([3000, 3000])
    const versions = (
      await db.pool.query("SELECT max(row_version)::int AS v FROM clients WHERE clinic_id = $1", [CLINIC2])
    ).rows[0]
    expect(versions.v).toBe(1)
    // the import moved the shards' projection heads past itself
    const heads = await db.pool.query("SELECT count(*)::int AS n FROM projection_heads WHERE clinic_id = $1", [CLINIC2])
    expect(heads.rows[0].n).toBe(64)
    expect((await bridge.importClinic(CLINIC2)).written).toBe(0)
  })
})
