import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SafeFsStorageAdapter, contentsOf, isLeanDoc, recordsOfDoc, type AnyRecord, type Collection } from "@vetsync/shared"
import { Bridge } from "../src/Bridge.js"
import { openDoc } from "../src/sync/openDoc.js"
import { makeAppointment, makeClient, makeInvoice, makePatient, put } from "./helpers/records.js"
import { useTestDatabase } from "@vetsync/db/testing"

const CLINIC = "clinic-crash"
const db = useTestDatabase()
const CHILD = fileURLToPath(new URL("./helpers/bridgeChild.ts", import.meta.url))

const records = async (repo: Repo, keys: string[]): Promise<AnyRecord[]> => {
  const out: AnyRecord[] = []
  for (const key of keys) out.push(...recordsOfDoc(contentsOf((await openDoc(repo, CLINIC, key as never)).doc())))
  return out
}

describe("kill -9 in the middle of projecting", () => {
  const dataDir = () => join(db.dir, "bridge")
  const keys: string[] = []

  beforeAll(async () => {
    await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [CLINIC])
    // the documents a relay would have handed the bridge: 4,000 households, appointments and invoices
    const repo = new Repo({ storage: new SafeFsStorageAdapter(join(dataDir(), "docs")), network: [] })
    for (let i = 0; i < 4000; i++) {
      const c = makeClient("desk-a", { name: `Client ${i}` })
      const p = makePatient(c.id, "desk-b")
      await put(repo, CLINIC, "clients", c)
      await put(repo, CLINIC, "patients", p)
      if (i % 10 === 0) {
        const month = String(9 + (i % 3)).padStart(2, "0")
        await put(
          repo,
          CLINIC,
          "appointments",
          makeAppointment(c, p, "desk-a", {
            start: `2026-${month}-10T10:00:00.000Z`,
            end: `2026-${month}-10T10:30:00.000Z`,
          }),
        )
        await put(repo, CLINIC, "invoices", makeInvoice(c, p, "desk-b", { issuedAt: `2026-${month}-10T11:00:00.000Z` }))
      }
    }
    keys.push(...Array.from({ length: 64 }, (_, i) => `clients/${i}`))
    for (const m of ["09", "10", "11"]) keys.push(`appointments/2026-${m}`, `invoices/2026-${m}`)
    await repo.flush()
    await repo.shutdown()
  })

  let bridge: Bridge | undefined
  afterAll(async () => {
    await bridge?.stop()
  })

  it("resumes from the stored heads: PostgreSQL ends equal to the documents, nothing duplicated or missing", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      env: { ...process.env, VETSYNC_DATA_DIR: dataDir(), DATABASE_URL: db.url, VETSYNC_CLINICS: CLINIC },
      stdio: ["ignore", "pipe", "inherit"],
    })
    const exited = new Promise(r => child.once("exit", r))
    let out = ""
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString()
        const committed = out.split("\n").filter(l => /^projected clients\/\d+ rows=[1-9]/.test(l)).length
        if (committed >= 3) {
          child.kill("SIGKILL")
          resolve()
        }
      })
      child.once("exit", () => reject(new Error(`bridge exited before projecting:\n${out}`)))
    })
    await exited
    expect(out).not.toContain("idle")
    const projectedAtKill = (await db.pool.query("SELECT count(*)::int AS n FROM projection_heads")).rows[0].n
    expect(projectedAtKill).toBeGreaterThan(0)
    expect(projectedAtKill).toBeLessThan(keys.length)

    // restart (in-process) from the same documents
    const repo = new Repo({ storage: new SafeFsStorageAdapter(join(dataDir(), "docs")), network: [] })
    bridge = await Bridge.start({ dataDir: dataDir(), databaseUrl: db.url, repo })
    await bridge.idle()
    // loaded from storage lean, as the projector keeps record documents
    for (const key of keys) expect(isLeanDoc((await openDoc(repo, CLINIC, key as never)).doc()), key).toBe(true)

    const all = await records(repo, keys)
    const byCollection = (c: Collection) => all.filter(r => r.collection === c)
    for (const c of ["clients", "patients", "appointments", "invoices"] as Collection[]) {
      const rows = (
        await db.pool.query(`SELECT id::text, updated_at, row_version FROM ${c} WHERE clinic_id = $1`, [CLINIC])
      ).rows
      const docs = byCollection(c)
      expect(rows.length).toBe(docs.length)
      const want = new Map(docs.map(r => [r.record.id, r.record.updatedAt]))
      for (const row of rows) expect((row.updated_at as Date).toISOString()).toBe(want.get(row.id))
      // each row was written once: the committed part was not written again
      expect(rows.filter(r => r.row_version !== 1)).toEqual([])
    }
    expect(byCollection("clients").length).toBe(4000)
    const items = (await db.pool.query("SELECT count(*)::int AS n FROM invoice_items")).rows[0].n
    expect(items).toBe(byCollection("invoices").length * 2)
    expect((await db.pool.query("SELECT count(*)::int AS n FROM projection_heads")).rows[0].n).toBe(keys.length)
    expect((await db.pool.query("SELECT count(*)::int AS n FROM rejections")).rows[0].n).toBe(0)
  })
})
