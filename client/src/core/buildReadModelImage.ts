import { rmSync } from "node:fs"
import type { Readable } from "node:stream"
import Database from "better-sqlite3"
import { applySnapshotStream } from "./applySnapshotStream.js"
import { BootstrapTimings } from "./BootstrapTimings.js"
import { ReadModel } from "./readmodel/ReadModel.js"
import { IMAGE_HEADER_KEY } from "./readmodel/readModelImage.js"
import { READ_MODEL_INDEXES, READ_MODEL_VERSION } from "./readmodel/schema.js"
import { SnapshotApplier } from "./SnapshotApplier.js"

export interface ReadModelImageBuilt {
  /** the read model's schema version (a desk takes only an image of its own) */
  version: number
  /** records in the image, and when its snapshot was generated */
  records: number
  generatedAt: string
  /** the peak resident memory of the process that built it (a build in a process of its own says it) */
  peakRssBytes?: number
}

/**
 * Builds a read-model image (readmodel/readModelImage.ts) of `clinicId` into `file` (made anew) from
 * a snapshot's NDJSON (gzip undone): the same bulk load a new desk does (SnapshotApplier, the fresh
 * path), with the header line kept in its meta, in one self-contained file (rollback journal, no
 * WAL beside it, no secondary indexes) that a desk attaches and copies from. Throws on a snapshot cut off or malformed.
 */
export const buildReadModelImage = async (input: Readable, clinicId: string, file: string): Promise<ReadModelImageBuilt> => {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true })
  const rm = ReadModel.open(file)
  let built: ReadModelImageBuilt
  try {
    rm.setDurable(false)
    const timings = new BootstrapTimings()
    const apply = new SnapshotApplier(rm, clinicId, timings)
    const { header } = await applySnapshotStream(input, apply, timings, { total: () => undefined, applied: () => undefined })
    rm.transaction(() => {
      apply.finish()
      rm.setMeta(IMAGE_HEADER_KEY, JSON.stringify(header))
    })
    built = { version: READ_MODEL_VERSION, records: header.records, generatedAt: header.generatedAt }
  } finally {
    rm.close()
  }
  // what a desk takes is the tables: the secondary indexes are its own (built as it copies), so
  // the image goes without them (a tenth of its size), compacted
  const db = new Database(file)
  try {
    db.pragma("journal_mode = DELETE")
    for (const name of READ_MODEL_INDEXES) db.exec(`DROP INDEX IF EXISTS ${name}`)
    db.exec("VACUUM")
  } finally {
    db.close()
  }
  return built
}
