import Database from "better-sqlite3"
import { parseSnapshotLine, snapshotHeaderProblem, type SnapshotHeader } from "@vetsync/shared"
import { READ_MODEL_VERSION } from "./schema.js"

/**
 * A read-model image: the read model of a clinic as the relay built it from its snapshot (a new
 * desk's bulk load, done once on the relay: records, search index, price list, rejections, profile),
 * a SQLite file of this schema version, with the snapshot's header line in its meta. A new desk takes
 * it whole (adoptImage) instead of inserting and indexing the snapshot's records itself.
 */

/** meta key of the snapshot header line (NDJSON text) an image reflects */
export const IMAGE_HEADER_KEY = "imageHeader"

/** the records, their conflicts and the search index, taken whole into a desk that has no records */
const RECORD_TABLES = [
  "conflicts",
  "clients",
  "patients",
  "appointments",
  "invoices",
  "client_keys",
  "client_search_data",
  "client_search_idx",
  "client_search_content",
  "client_search_docsize",
  "client_search_config",
] as const

/** the lists the bridge publishes, taken where the desk has not read their document itself */
const SERVER_OWNED = { pricelist: "price_items", rejections: "rejections" } as const

const columns = (db: Database.Database, schema: "main" | "image", table: string): string =>
  (db.prepare(`PRAGMA ${schema}.table_info("${table}")`).all() as { name: string; type: string }[])
    .map(c => `${c.name} ${c.type}`)
    .join(", ")

const imageMeta = (db: Database.Database, k: string): string | undefined =>
  (db.prepare("SELECT v FROM image.meta WHERE k = ?").get(k) as { v: string } | undefined)?.v

/**
 * Takes the image in `file` into the read model in `readModelFile`, in one transaction, and returns
 * the snapshot header it reflects. The caller has checked that the read model holds no records.
 * Refused (an Error, nothing changed) when the image is of another schema version, lacks its header
 * or is of another clinic, or when any table it would take differs in its columns. `untouched(key)`:
 * the desk has not read that server-owned document itself (its list in the image may be taken).
 *
 * The copy is made on a connection of its own: FTS5 keeps the search index's structure cached on
 * the connection that read it, and trusts it until another connection writes (SQLite's data
 * version), so rows written under it on the same connection were taken for an empty index, and its
 * next write collided with the image's segments ("constraint failed").
 */
export const adoptImage = (
  readModelFile: string,
  file: string,
  clinicId: string,
  untouched: (key: keyof typeof SERVER_OWNED | "profile", header: SnapshotHeader) => boolean,
): SnapshotHeader => {
  const db = new Database(readModelFile)
  // its commit leaves the WAL's pages to the desk's own connection to copy into the database
  // (ReadModel.pauseCheckpoints: after the bootstrap, not on its way)
  db.pragma("wal_autocheckpoint = 0")
  try {
    return adoptOn(db, file, clinicId, untouched)
  } finally {
    db.close()
  }
}

const adoptOn = (
  db: Database.Database,
  file: string,
  clinicId: string,
  untouched: (key: keyof typeof SERVER_OWNED | "profile", header: SnapshotHeader) => boolean,
): SnapshotHeader => {
  db.prepare("ATTACH DATABASE ? AS image").run(file)
  try {
    const version = imageMeta(db, "version")
    if (version !== String(READ_MODEL_VERSION))
      throw new Error(`read-model image has version ${String(version)}, this desk reads ${READ_MODEL_VERSION}`)
    const text = imageMeta(db, IMAGE_HEADER_KEY)
    if (text === undefined) throw new Error("read-model image has no snapshot header")
    const header = parseSnapshotLine(text, 1)
    if (header.type !== "header") throw new Error("read-model image's header is not a snapshot header")
    const problem = snapshotHeaderProblem(header, clinicId)
    if (problem !== undefined) throw new Error(`read-model image: ${problem}`)
    const tables = [...RECORD_TABLES, ...Object.values(SERVER_OWNED)]
    for (const t of tables) {
      const want = columns(db, "main", t)
      if (columns(db, "image", t) !== want) throw new Error(`read-model image's ${t} differs from this desk's (${want})`)
    }
    const copy = (t: string): void => {
      db.exec(`DELETE FROM main."${t}"; INSERT INTO main."${t}" SELECT * FROM image."${t}"`)
    }
    // the search index's shadow tables are written directly (taken whole, as FTS5 wrote them):
    // SQLite's defensive mode refuses that, so it is off for this transaction only
    db.unsafeMode(true)
    try {
      db.transaction(() => {
        for (const t of RECORD_TABLES) copy(t)
        for (const [key, t] of Object.entries(SERVER_OWNED))
          if (untouched(key as keyof typeof SERVER_OWNED, header)) copy(t)
        const profile = imageMeta(db, "clinicProfile")
        if (profile !== undefined && untouched("profile", header))
          db.prepare("INSERT INTO meta (k, v) VALUES ('clinicProfile', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v").run(profile)
      })()
    } finally {
      db.unsafeMode(false)
    }
    return header
  } finally {
    db.exec("DETACH DATABASE image")
  }
}
