import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { loadMigrations, migrate } from "../src/pg/migrate.js"
import { dumpSchema } from "../src/pg/schemaDump.js"
import { useTestDatabase } from "./helpers/testDatabase.js"

const db = useTestDatabase({ migrate: false })

describe("schema", () => {
  it("applies the numbered migrations once, each recorded, and a second run applies nothing", async () => {
    const all = await loadMigrations()
    expect(all.map(m => m.version)).toEqual(all.map((_, i) => i + 1))
    expect(await migrate(db.pool)).toEqual(all.map(m => m.version))
    expect(await migrate(db.pool)).toEqual([])
    const rows = (await db.pool.query("SELECT version, name FROM schema_migrations ORDER BY version")).rows
    expect(rows.map(r => r.name)).toEqual(all.map(m => m.name))
  })

  it("the committed bridge/schema.sql equals the migrated schema (run `npm run schema:dump -w bridge`)", async () => {
    const committed = await readFile(fileURLToPath(new URL("../schema.sql", import.meta.url)), "utf8")
    expect(await dumpSchema(db.pool)).toBe(committed)
  })

  it("a failing migration leaves nothing behind", async () => {
    const dir = fileURLToPath(new URL("./fixtures/bad-migrations/", import.meta.url))
    await expect(migrate(db.pool, dir)).rejects.toThrow(/0099_bad failed/)
    const t = await db.pool.query("SELECT to_regclass('public.half_done') AS t")
    expect(t.rows[0].t).toBeNull()
    expect((await db.pool.query("SELECT count(*)::int AS n FROM schema_migrations WHERE version = 99")).rows[0].n).toBe(
      0,
    )
  })

  it("PostgreSQL refuses an invoice whose total does not equal its lines, a negative quantity, an orphan patient", async () => {
    await db.pool.query("INSERT INTO clinics (id) VALUES ('c0')")
    await db.pool.query(
      "INSERT INTO clients (id, clinic_id, name) VALUES ('00000000-0000-4000-8000-0000000000c0', 'c0', 'A')",
    )
    const client = await db.pool.connect()
    const invoice = (id: string, total: number) =>
      client.query(
        `INSERT INTO invoices (id, clinic_id, number, client_id, issued_at, status, total_kopecks, created_at, updated_at, created_by, updated_by)
         VALUES ($1::uuid, 'c0', $1::text, '00000000-0000-4000-8000-0000000000c0', now(), 'issued', $2, now(), now(), 'd', 'd')`,
        [id, total],
      )
    const tx = async (fn: () => Promise<unknown>) => {
      await client.query("BEGIN")
      try {
        await fn()
        await client.query("COMMIT")
      } catch (e) {
        await client.query("ROLLBACK")
        throw e
      }
    }
    const line = (inv: string, qty: number, total: number) =>
      client.query(`INSERT INTO invoice_items VALUES ($1, 0, 'l', 'i', 'C', 'N', 'service', 1000, $2, $3)`, [
        inv,
        qty,
        total,
      ])
    const ok = "00000000-0000-4000-8000-0000000000f1"
    const bad = "00000000-0000-4000-8000-0000000000f2"
    await tx(async () => {
      await invoice(ok, 2000)
      await line(ok, 2000, 2000)
    })
    await expect(
      tx(async () => {
        await invoice(bad, 2500)
        await line(bad, 2000, 2000)
      }),
    ).rejects.toThrow(/does not equal the sum of its lines/)
    await expect(line(ok, -1000, -1000)).rejects.toThrow(/invoice_items_qty_milli_check/)
    await expect(
      db.pool.query(
        "INSERT INTO patients (clinic_id, client_id, name, species) VALUES ('c0', '00000000-0000-4000-8000-00000000dead', 'P', 'cat')",
      ),
    ).rejects.toThrow(/patients_client_id_fkey/)
    client.release()
  })

  it("reporting views answer", async () => {
    await db.pool.query("INSERT INTO clinics (id) VALUES ('c1')")
    await db.pool.query(
      "INSERT INTO clients (id, clinic_id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'c1', 'A')",
    )
    const client = await db.pool.connect()
    await client.query("BEGIN")
    await client.query(
      `INSERT INTO invoices (id, clinic_id, number, client_id, vet, issued_at, status, total_kopecks, created_at, updated_at, created_by, updated_by)
       VALUES ('00000000-0000-4000-8000-0000000000a1', 'c1', 'N-1', '00000000-0000-4000-8000-000000000001', 'Dr. A',
               '2026-11-20T10:00:00Z', 'paid', 2500, now(), now(), 'd', 'd'),
              ('00000000-0000-4000-8000-0000000000a2', 'c1', 'N-2', '00000000-0000-4000-8000-000000000001', 'Dr. A',
               '2026-11-20T12:00:00Z', 'void', 9999, now(), now(), 'd', 'd')`,
    )
    await client.query(
      `INSERT INTO invoice_items VALUES
         ('00000000-0000-4000-8000-0000000000a1', 0, 'l1', 'i1', 'VAC', 'Vaccination', 'service', 1000, 2500, 2500),
         ('00000000-0000-4000-8000-0000000000a2', 0, 'l2', 'i1', 'VAC', 'Vaccination', 'service', 9999, 1000, 9999)`,
    )
    await client.query("COMMIT")
    client.release()
    const { revenuePerDay, revenuePerService, revenuePerVet, appointmentsPerVetDay } =
      await import("../src/queries/reports.js")
    expect(await revenuePerDay(db.pool, "c1", "2026-11-01", "2026-12-01")).toEqual([
      { day: "2026-11-20", invoices: 1, revenue_kopecks: 2500 },
    ])
    expect(await revenuePerVet(db.pool, "c1")).toEqual([{ vet: "Dr. A", invoices: 1, revenue_kopecks: 2500 }])
    expect((await revenuePerService(db.pool, "c1")).map(r => [r.code, Number(r.quantity), r.revenue_kopecks])).toEqual([
      ["VAC", 2.5, 2500],
    ])
    expect(await appointmentsPerVetDay(db.pool, "c1")).toEqual([])
  })
})
