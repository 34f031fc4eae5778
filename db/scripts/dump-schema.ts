/**
 * Regenerates db/schema.sql: migrates a scratch embedded PostgreSQL and dumps the
 * schema from its catalog. `npm run schema:dump -w @vetsync/db`; the schema test
 * (db/test/schema.test.ts) fails when the committed file is stale.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { EmbeddedPg } from "../src/EmbeddedPg.js"
import { migrate } from "../src/migrate.js"
import { dumpSchema } from "../src/schemaDump.js"

export const SCHEMA_FILE = fileURLToPath(new URL("../schema.sql", import.meta.url))

const dir = await mkdtemp(join(tmpdir(), "vetsync-schema-"))
const cluster = await new EmbeddedPg({ dir: join(dir, "pg"), fast: true, scratch: true }).start()
try {
  const pool = new pg.Pool({ connectionString: await cluster.createDatabase("schema") })
  await migrate(pool)
  await writeFile(SCHEMA_FILE, await dumpSchema(pool))
  await pool.end()
  console.log(`wrote ${SCHEMA_FILE}`)
} finally {
  await cluster.dispose()
  await rm(dir, { recursive: true, force: true })
}
