import { existsSync } from "node:fs"
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import pg from "pg"
import { copyRelayData } from "../backup/relayCopy.js"

export interface RebuildArgs {
  /** the new relay's VETSYNC_DATA_DIR: absent or empty */
  relayData: string
  /** the bridge's data directory (its replica in docs/), or the relay's documents in PostgreSQL */
  from: { kind: "bridge-replica"; dir: string } | { kind: "postgres" }
  /** clinics to make known besides the registry's */
  clinics: string[]
}

export interface Rebuilt {
  documents: number
  chunks: number
  bytes: number
  clinics: string[]
  seconds: number
}

/** `relay rebuild --relay-data DIR (--from bridge-replica BRIDGE_DIR | --from postgres) [--clinic ID ...]` */
export const parseRebuildArgs = (argv: string[]): RebuildArgs => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "relay-data": { type: "string" },
      from: { type: "string" },
      clinic: { type: "string", multiple: true, default: [] },
    },
  })
  const [verb, ...extra] = positionals
  if (verb !== "rebuild") throw new Error(verb === undefined ? "say what to do: rebuild" : `unknown action ${verb}`)
  if (!values["relay-data"]) throw new Error("--relay-data DIR (the new relay's VETSYNC_DATA_DIR) is required")
  let from: RebuildArgs["from"]
  if (values.from === "postgres") {
    if (extra.length > 0) throw new Error(`unexpected argument ${extra[0]}`)
    from = { kind: "postgres" }
  } else if (values.from === "bridge-replica") {
    if (extra.length !== 1) throw new Error("--from bridge-replica takes the bridge's data directory: --from bridge-replica BRIDGE_DIR")
    from = { kind: "bridge-replica", dir: resolve(extra[0] ?? "") }
  } else throw new Error("--from bridge-replica BRIDGE_DIR or --from postgres is required")
  return { relayData: resolve(values["relay-data"]), from, clinics: values.clinic }
}

/** The registry's clinics (DATABASE_URL), if there is one. */
const registryClinics = async (pool: pg.Pool | undefined): Promise<string[]> =>
  pool ? (await pool.query<{ id: string }>("SELECT id FROM clinics ORDER BY id")).rows.map(r => r.id) : []

/** The relay's documents in PostgreSQL (VETSYNC_RELAY_STORAGE=postgres) written as files, a page at a time. */
const exportChunks = async (pool: pg.Pool, docs: string): Promise<{ documents: number; chunks: number; bytes: number }> => {
  const files = new SafeFsStorageAdapter(docs)
  const ids = new Set<string>()
  let chunks = 0
  let bytes = 0
  for (let after = -1; ; ) {
    const { rows } = await pool.query<{ key: string; data: Buffer; seq: string }>(
      "SELECT key, data, seq FROM automerge_chunks WHERE seq > $1 ORDER BY seq LIMIT 500",
      [after],
    )
    if (rows.length === 0) break
    for (const r of rows) {
      const key = r.key.split("/")
      // sync states describe exchanges with peers: the rebuilt relay starts each one over
      if (key[1] !== "sync-state" && key[0]) {
        await files.save(key, new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength))
        ids.add(key[0])
        chunks++
        bytes += r.data.byteLength
      }
    }
    after = Number(rows[rows.length - 1]?.seq ?? after)
  }
  return { documents: ids.size, chunks, bytes }
}

/**
 * Rebuilds a lost relay's data directory. What a relay keeps, and where each part comes from:
 * - documents (`docs/`): from the bridge's replica (the bridge is an automerge-repo peer that is sent
 *   every document of every clinic and stores it with the same storage layout), copied while the bridge
 *   runs as a backup copies a running relay; or from the relay's own documents in PostgreSQL
 *   (`automerge_chunks`, VETSYNC_RELAY_STORAGE=postgres), written as files.
 * - `ownership.json`: which clinics are known (the registry's, in DATABASE_URL, and --clinic); with a
 *   registry every document is a known clinic's layout document, so no claim needs restoring.
 * - `snapshots/`, per-peer sync states, durable acknowledgements, announce state: not rebuilt. The relay
 *   builds each clinic's snapshot at start, and every peer's exchange (and so every acknowledgement)
 *   starts over when it reconnects; desks send what the rebuilt relay lacks.
 * - desks' and services' credentials: in PostgreSQL, untouched.
 */
export const rebuildRelay = async (a: RebuildArgs, env: NodeJS.ProcessEnv = process.env, say: (l: string) => void = console.log): Promise<Rebuilt> => {
  const started = performance.now()
  if (existsSync(a.relayData) && (await readdir(a.relayData)).length > 0)
    throw new Error(`${a.relayData} is not empty: rebuild into a new directory (move the old one aside; rebuild never overwrites)`)
  const pool = env.DATABASE_URL ? new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 }) : undefined
  const work = `${a.relayData}.partial`
  try {
    if (a.from.kind === "postgres" && !pool) throw new Error("--from postgres reads the relay's documents from DATABASE_URL: set it")
    const clinics = [...new Set([...(await registryClinics(pool)), ...a.clinics])].sort()
    if (clinics.length === 0) throw new Error("no clinic known: set DATABASE_URL (the registry) or name them with --clinic")
    await rm(work, { recursive: true, force: true })
    await mkdir(work, { recursive: true })
    let counts: { documents: number; chunks: number; bytes: number }
    if (a.from.kind === "bridge-replica") {
      if (!existsSync(join(a.from.dir, "docs"))) throw new Error(`${a.from.dir} is not a bridge's data directory (it has no docs/)`)
      const copied = await copyRelayData(a.from.dir, work)
      // copyRelayData lays the files out as a backup does (<work>/relay/docs/...)
      // (a replica without documents leaves no docs/ there)
      if (existsSync(join(work, "relay", "docs"))) await rename(join(work, "relay", "docs"), join(work, "docs"))
      await rm(join(work, "relay"), { recursive: true, force: true })
      counts = { documents: copied.documents, chunks: copied.files.length, bytes: copied.files.reduce((n, f) => n + f.bytes, 0) }
    } else counts = await exportChunks(pool as pg.Pool, join(work, "docs"))
    await mkdir(join(work, "docs"), { recursive: true })
    await writeFile(join(work, "ownership.json"), JSON.stringify({ v: 1, clinics, owners: {} }))
    await rm(a.relayData, { recursive: true, force: true })
    await rename(work, a.relayData)
    const seconds = (performance.now() - started) / 1000
    const source = a.from.kind === "postgres" ? "PostgreSQL's automerge_chunks" : `the bridge's replica in ${a.from.dir}`
    say(`relay data rebuilt in ${a.relayData} from ${source}: ${counts.documents} documents, ${counts.chunks} chunks, ${counts.bytes} bytes, clinics ${clinics.join(", ")} (${seconds.toFixed(2)} s)`)
    say("start the relay on it: it builds each clinic's snapshot, and the desks and the bridge reconnect and send what it lacks")
    return { ...counts, clinics, seconds }
  } catch (e) {
    await rm(work, { recursive: true, force: true })
    throw e
  } finally {
    await pool?.end()
  }
}
