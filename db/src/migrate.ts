import { readdir, readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import type pg from "pg"

export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations/", import.meta.url))

export interface Migration {
  version: number
  name: string
  sql: string
}

export const loadMigrations = async (dir = MIGRATIONS_DIR): Promise<Migration[]> => {
  const files = (await readdir(dir)).filter(f => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort()
  const out: Migration[] = []
  for (const f of files) {
    const version = Number(f.slice(0, 4))
    if (out.some(m => m.version === version)) throw new Error(`two migrations numbered ${version}`)
    out.push({ version, name: f.replace(/\.sql$/, ""), sql: await readFile(`${dir}/${f}`, "utf8") })
  }
  return out
}

/**
 * Applies the forward-only numbered migrations that are not applied yet, each in its own
 * transaction together with its row in schema_migrations. Rows are keyed by version (the file's
 * number), so where the files live does not matter. A session advisory lock, held from before
 * schema_migrations is created until the last migration, keeps processes that start at once
 * (the relay and the bridge, two bridges) from racing: the second waits, then finds nothing to do.
 */
export const migrate = async (pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<number[]> => {
  const migrations = await loadMigrations(dir)
  const client = await pool.connect()
  const applied: number[] = []
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('vetsync.migrate'))")
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations")
    const done = new Set(rows.map(r => r.version))
    const latest = Math.max(0, ...done)
    for (const m of migrations) {
      if (done.has(m.version)) continue
      if (m.version < latest)
        throw new Error(`migration ${m.name} is older than the applied ${latest}: migrations are forward-only`)
      await client.query("BEGIN")
      try {
        await client.query(m.sql)
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name])
        await client.query("COMMIT")
      } catch (e) {
        await client.query("ROLLBACK")
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`)
      }
      applied.push(m.version)
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('vetsync.migrate'))").catch(() => {})
    client.release()
  }
  return applied
}
