import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { afterAll, beforeAll } from "vitest"
import { EmbeddedPg } from "../../src/pg/EmbeddedPg.js"
import { migrate } from "../../src/pg/migrate.js"

export interface TestDatabase {
  /** a scratch directory for this file (documents, child processes' data) */
  dir: string
  cluster: EmbeddedPg
  /** URL of this file's fresh, migrated database */
  url: string
  pool: pg.Pool
}

/**
 * One embedded PostgreSQL cluster per test file and a fresh database in it, migrated;
 * all torn down after the file. Use inside a describe/file scope.
 */
export const useTestDatabase = (opts: { migrate?: boolean } = {}): TestDatabase => {
  const ctx = {} as TestDatabase
  beforeAll(async () => {
    ctx.dir = await mkdtemp(join(tmpdir(), "vetsync-bridge-"))
    ctx.cluster = await new EmbeddedPg({ dir: join(ctx.dir, "pg"), fast: true }).start()
    const name = `test_${randomBytes(6).toString("hex")}`
    ctx.url = await ctx.cluster.createDatabase(name)
    ctx.pool = new pg.Pool({ connectionString: ctx.url, max: 4 })
    ctx.pool.on("error", () => {})
    if (opts.migrate !== false) await migrate(ctx.pool)
  })
  afterAll(async () => {
    await ctx.pool?.end().catch(() => {})
    await ctx.cluster?.stop()
    if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true })
  })
  return ctx
}

/** Removes a clinic and everything projected for it (a test that starts a bridge per clinic). */
export const dropClinic = async (pool: pg.Pool, clinicId: string): Promise<void> => {
  for (const table of [
    "invoices",
    "appointments",
    "patients",
    "clients",
    "desks",
    "projection_heads",
    "rejections",
    "waiting_records",
    "nomenclature",
    "import_requests",
    "clinics",
  ])
    await pool.query(`DELETE FROM ${table} WHERE ${table === "clinics" ? "id" : "clinic_id"} = $1`, [clinicId])
}
