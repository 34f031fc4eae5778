/**
 * Seed-scale figures for the bridge (not a test): `npx tsx bridge/scripts/seed-bench.ts [clients] [patients]`.
 * 1. import: 61,974 client and 82,371 patient rows → 64 shard documents;
 * 2. projection from scratch: those documents → an empty database;
 * 3. edit-to-row latency: single-field desk edits until the row is committed.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Repo } from "@automerge/automerge-repo"
import { recordToDoc, type ClientShardDoc } from "@vetsync/shared"
import pg from "pg"
import { EmbeddedPg, migrate } from "@vetsync/db"
import { Bridge } from "../src/Bridge.js"
import { openDoc } from "../src/sync/openDoc.js"

const CLIENTS = Number(process.argv[2] ?? 61974)
const PATIENTS = Number(process.argv[3] ?? 82371)
const CLINIC = "seed-clinic"
const mb = () => `${Math.round(process.memoryUsage().rss / 1e6)} MB rss`
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]

const dir = await mkdtemp(join(tmpdir(), "vetsync-bench-"))
const cluster = await new EmbeddedPg({ dir: join(dir, "pg"), scratch: true }).start()
try {
  const urlA = await cluster.createDatabase("seed_a")
  const urlB = await cluster.createDatabase("seed_b")
  const repo = new Repo({ network: [] })
  const a = await Bridge.start({ dataDir: dir, databaseUrl: urlA, repo })
  await a.addClinic(CLINIC)
  let t = performance.now()
  // rows that existed before the exchange plan: inserted with triggers off, nothing registered
  const raw = await a.pool.connect()
  await raw.query("BEGIN")
  await raw.query("SET LOCAL session_replication_role = replica")
  await raw.query(
    `INSERT INTO clients (clinic_id, name, phone, email, address, created_at, updated_at)
     SELECT $1, 'Client ' || g, '+7 9' || lpad((g * 7919 % 1000000000)::text, 9, '0'), '', 'Street ' || (g % 500),
            '2024-01-01'::timestamptz + g * interval '1 minute', '2024-01-01'::timestamptz + g * interval '1 minute'
     FROM generate_series(1, $2::int) g`,
    [CLINIC, CLIENTS],
  )
  await raw.query(
    `WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM clients WHERE clinic_id = $1)
     INSERT INTO patients (clinic_id, client_id, name, species, breed, sex, birth_date)
     SELECT $1, c.id, 'Pet ' || g, (ARRAY['cat','dog','parrot','rabbit'])[1 + g % 4], 'mixed',
            (ARRAY['male','female','unknown'])[1 + g % 3], date '2015-01-01' + (g % 3000)
     FROM generate_series(1, $2::int) g JOIN c ON c.n = 1 + (g % $3::int)`,
    [CLINIC, PATIENTS, CLIENTS],
  )
  await raw.query("COMMIT")
  raw.release()
  console.log(`rows inserted by SQL: ${Math.round(performance.now() - t)} ms`)
  await a.idle()
  const imp = await a.importClinic(CLINIC)
  console.log(`import: ${JSON.stringify(imp)} ${mb()}`)
  await a.idle()
  console.log(
    `after import idle: rows re-written: ${(await a.pool.query<{ n: number }>("SELECT count(*)::int n FROM clients WHERE row_version > 1")).rows[0]?.n}`,
  )
  await a.stop()

  // projection from scratch into an empty database, same documents
  const b0 = new pg.Pool({ connectionString: urlB })
  await migrate(b0)
  await b0.query("INSERT INTO clinics (id) VALUES ($1)", [CLINIC])
  await b0.end()
  const projectedAt = new Map<string, number>()
  t = performance.now()
  const b = await Bridge.start({
    dataDir: dir,
    databaseUrl: urlB,
    repo,
    onProjected: (_c, r) => {
      if (r.rows > 0) projectedAt.set(r.docKey, performance.now())
    },
  })
  await b.idle()
  const scratchMs = Math.round(performance.now() - t)
  const counts = (
    await b.pool.query<{ c: number; p: number }>(
      "SELECT (SELECT count(*) FROM clients)::int c, (SELECT count(*) FROM patients)::int p",
    )
  ).rows[0]
  console.log(`projection from scratch: ${scratchMs} ms, ${JSON.stringify(counts)} ${mb()}`)

  // edit-to-row latency: one field of one client, until its projection committed
  const lat: number[] = []
  for (let i = 0; i < 60; i++) {
    const key = `clients/${(i * 11) % 64}` as const
    const h = await openDoc<ClientShardDoc>(repo, CLINIC, key)
    const id = Object.keys(h.doc().clients)[i % 50]!
    projectedAt.delete(key)
    const t0 = performance.now()
    h.change(d => {
      const c = d.clients[id]!
      Object.assign(
        c,
        recordToDoc({
          phone: `+7 900 000-${String(i).padStart(4, "0")}`,
          updatedAt: new Date().toISOString(),
          updatedBy: "desk-bench",
        }),
      )
    })
    await b.idle()
    const t1 = projectedAt.get(key)
    if (t1 !== undefined) lat.push(t1 - t0)
  }
  console.log(
    `edit-to-row (in-process, ${lat.length} edits): p50 ${pct(lat, 50)?.toFixed(1)} ms, p95 ${pct(lat, 95)?.toFixed(1)} ms`,
  )
  await b.stop()
} finally {
  await cluster.dispose()
  await rm(dir, { recursive: true, force: true })
}
