import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_TIME_ZONE, clientShardKey, invoicesKey, rejectionsOfDoc, type RejectionsDoc } from "@vetsync/shared"
import { Bridge } from "../src/Bridge.js"
import { openDoc } from "../src/sync/openDoc.js"
import { edit, makeClient, makeInvoice, makePatient, put } from "./helpers/records.js"
import { eventually } from "@vetsync/test-kit"
import { waitingReport } from "../src/queries/waitingRecords.js"
import { useTestDatabase } from "@vetsync/db/testing"

const CLINIC = "clinic-r"
const db = useTestDatabase()

describe("validation and rejections", () => {
  let repo: Repo
  let bridge: Bridge
  const rejections = async () => rejectionsOfDoc((await openDoc<RejectionsDoc>(repo, CLINIC, "rejections")).doc())
  const count = async (sql: string, params: unknown[]) => (await db.pool.query(sql, params)).rows.length

  beforeAll(async () => {
    repo = new Repo({ network: [] })
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
    await bridge.addClinic(CLINIC)
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("rejects an invoice whose total does not match its lines, tells the desks, and projects it once fixed", async () => {
    const c = makeClient()
    const p = makePatient(c.id)
    await put(repo, CLINIC, "clients", c)
    await put(repo, CLINIC, "patients", p)
    const bad = makeInvoice(c, p)
    bad.total += 100
    await put(repo, CLINIC, "invoices", bad)
    await bridge.idle()

    expect(await count("SELECT 1 FROM invoices WHERE id = $1", [bad.id])).toBe(0)
    const row = (await db.pool.query("SELECT * FROM rejections WHERE record_id = $1", [bad.id])).rows[0]
    expect(row).toMatchObject({ collection: "invoices", kind: "invalid", record_updated_at: bad.updatedAt })
    expect(row.reason).toContain("total: does not equal the sum of the lines")
    expect(row.record.total).toBe(bad.total)
    const seen = await rejections()
    expect(seen).toEqual([
      expect.objectContaining({ key: `invoices/${bad.id}`, recordUpdatedAt: bad.updatedAt, reason: row.reason }),
    ])

    await edit(repo, CLINIC, "invoices", bad, { total: bad.total - 100 })
    await bridge.idle()
    expect(
      (await db.pool.query("SELECT total_kopecks FROM invoices WHERE id = $1", [bad.id])).rows[0]?.total_kopecks,
    ).toBe(bad.total - 100)
    expect(await count("SELECT 1 FROM rejections WHERE record_id = $1", [bad.id])).toBe(0)
    expect(await rejections()).toEqual([])
  })

  it("rejects a negative quantity; a patient whose client has not arrived waits, unreported, and lands with it", async () => {
    const c = makeClient()
    const p = makePatient(c.id)
    await put(repo, CLINIC, "clients", c)
    await put(repo, CLINIC, "patients", p)
    const neg = makeInvoice(c, p)
    neg.lines[0]!.qtyMilli = -1000
    neg.lines[0]!.total = Math.round((neg.lines[0]!.price * -1000) / 1000)
    neg.total = neg.lines.reduce((s, l) => s + l.total, 0)
    await put(repo, CLINIC, "invoices", neg)

    // a patient stored in a shard before its client (another desk's shard has not synced yet)
    const ghost = makeClient()
    const orphan = makePatient(ghost.id, "desk-b")
    await put(repo, CLINIC, "patients", orphan)
    await bridge.idle()

    const byId = new Map((await db.pool.query("SELECT * FROM rejections")).rows.map(r => [r.record_id, r]))
    expect(byId.get(neg.id)?.reason).toContain("lines[0].qtyMilli: must be at least 1")
    expect(byId.has(orphan.id)).toBe(false)
    expect(await count("SELECT 1 FROM patients WHERE id = $1", [orphan.id])).toBe(0)
    expect(await waitingReport(db.pool, CLINIC)).toEqual([
      expect.objectContaining({
        collection: "patients",
        record_id: orphan.id,
        missing: `clients/${ghost.id}`,
        missing_rejected_because: null,
      }),
    ])
    expect((await rejections()).map(r => r.key)).toEqual([`invoices/${neg.id}`])

    // the client arrives later (another desk's sync): the patient projects and stops waiting
    await put(repo, CLINIC, "clients", ghost)
    await bridge.idle()
    expect(await count("SELECT 1 FROM patients WHERE id = $1", [orphan.id])).toBe(1)
    expect(await waitingReport(db.pool, CLINIC)).toEqual([])
    expect((await rejections()).map(r => r.key)).toEqual([`invoices/${neg.id}`])

    // a tampered desk deleting its rejection from the server-owned document: the bridge puts it back
    const handle = await openDoc<RejectionsDoc>(repo, CLINIC, "rejections")
    handle.change(d => {
      delete d.rejections[`invoices/${neg.id}`]
    })
    await eventually(
      "the rejection put back",
      async () => (await rejections()).some(r => r.key === `invoices/${neg.id}`),
      20_000,
    )
    expect(clientShardKey(ghost.id)).toBe(clientShardKey(orphan.clientId))
    expect(invoicesKey(neg.issuedAt, DEFAULT_TIME_ZONE)).toBe("invoices/2026-11")
  })
})
