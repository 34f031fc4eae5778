import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { loadMigrations, migrate } from "../src/migrate.js"
import { dumpSchema } from "../src/schemaDump.js"
import { useTestDatabase } from "../src/testing.js"

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

  it("migrates once when two processes start on an empty database at once (the relay and the bridge)", async () => {
    const url = await db.cluster.createDatabase("started_together")
    const [relay, bridge] = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })]
    try {
      const all = (await loadMigrations()).map(m => m.version)
      const applied = await Promise.all([migrate(relay), migrate(bridge)])
      // the advisory lock is held for the whole run: one applies everything, the other nothing
      expect([...applied].sort((a, b) => a.length - b.length)).toEqual([[], all])
      const rows = (await relay.query("SELECT version FROM schema_migrations ORDER BY version")).rows
      expect(rows.map(r => r.version)).toEqual(all)
    } finally {
      await relay.end()
      await bridge.end()
    }
  })

  it("the committed db/schema.sql equals the migrated schema (run `npm run schema:dump -w @vetsync/db`)", async () => {
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
})
