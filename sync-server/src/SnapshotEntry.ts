import * as A from "@automerge/automerge"
import { isDocKey, snapshotPart, type AnyClinicDoc, type DocKey, type SnapshotPart } from "@vetsync/shared"

/**
 * One document's part of a clinic's bootstrap snapshot as the relay keeps it (SnapshotPart, the
 * same as a desk serving its LAN peers makes) with its saved bytes for the bundle and the chunk
 * names it was read from. When a document changes only its entry is made again; the snapshot is
 * assembled from the entries (assembleSnapshotGz).
 */
export interface SnapshotEntry extends SnapshotPart {
  /** the storage's chunk names of the document when it was read (compared after a restart) */
  chunks: string[]
  /** Automerge.save() of the document */
  saved: Buffer
  /** the file it is kept in (SnapshotFiles), once written */
  file?: string
}

/**
 * An entry whose bytes (the records gzip and the saved document) are on disk only, in its file
 * (SnapshotFiles): what the relay holds of a document's entry once it is kept, so that its memory
 * does not carry every document saved twice (some 30 MB at the seeds' scale, per clinic). The
 * bytes are read back when a snapshot or a bundle is assembled, or the document's next entry made.
 */
export type KeptEntry = Omit<SnapshotEntry, "recordsGz" | "saved" | "file"> & { file: string }

/** An entry as a clinic's snapshot holds it: whole (not yet on disk, or no disk), or kept. */
export type HeldEntry = SnapshotEntry | KeptEntry

/** Whether the entry holds its bytes (else they are in its file). */
export const isWhole = (e: HeldEntry): e is SnapshotEntry => "saved" in e

/** The entry without its bytes, once they are in its file. */
export const keptEntry = (e: SnapshotEntry & { file: string }): KeptEntry => {
  const { recordsGz: _recordsGz, saved: _saved, ...meta } = e
  return meta
}

/**
 * The entries with their bytes, a kept entry's read back (`read`: undefined when its file is gone).
 * `entries` is the live map: a file may be removed meanwhile only once its entry was replaced (a
 * write names every entry the snapshot holds), so a file gone is read again as the entry that
 * replaced it. One gone while its entry is still held (removed by hand, a damaged disk) is `lost`.
 */
export const withBytes = async (
  entries: ReadonlyMap<DocKey, HeldEntry>,
  read: (file: string) => Promise<SnapshotEntry | undefined>,
): Promise<{ whole: Map<DocKey, SnapshotEntry>; lost: DocKey[] }> => {
  const whole = new Map<DocKey, SnapshotEntry>()
  const lost: DocKey[] = []
  for (const key of [...entries.keys()]) {
    for (;;) {
      const held = entries.get(key)
      if (!held) break
      const e = isWhole(held) ? held : await read(held.file)
      if (e) whole.set(key, e)
      else if (entries.get(key) !== held) continue
      else lost.push(key)
      break
    }
  }
  return { whole, lost }
}

/** The entry of one document; undefined for a document without a kind (not a clinic document yet). */
export const makeEntry = async (
  key: DocKey,
  docId: string,
  doc: AnyClinicDoc,
  heads: string[],
  chunks: string[],
): Promise<SnapshotEntry | undefined> => {
  const part = await snapshotPart(key, docId, doc, heads)
  return part && { ...part, chunks, saved: Buffer.from(A.save<AnyClinicDoc>(doc)) }
}

const MAGIC = "VSE1"
type EntryMeta = Omit<SnapshotEntry, "recordsGz" | "saved" | "file">

/** An entry as one file: "VSE1", u32 length + JSON of the rest, u32 length + records gzip, the saved bytes. */
export const encodeEntry = (e: SnapshotEntry): Buffer => {
  const { recordsGz, saved, file: _file, ...meta } = e
  const json = Buffer.from(JSON.stringify(meta satisfies EntryMeta), "utf8")
  const head = Buffer.alloc(4 + 4 + json.length + 4)
  head.write(MAGIC, 0, "ascii")
  head.writeUInt32BE(json.length, 4)
  json.copy(head, 8)
  head.writeUInt32BE(recordsGz.length, 8 + json.length)
  return Buffer.concat([head, recordsGz, saved])
}

/** Reads encodeEntry's bytes back; throws on anything else (a torn or foreign file). */
export const decodeEntry = (b: Buffer): SnapshotEntry => {
  if (b.length < 12 || b.subarray(0, 4).toString("ascii") !== MAGIC) throw new Error("not a snapshot entry")
  const jl = b.readUInt32BE(4)
  if (8 + jl + 4 > b.length) throw new Error("truncated snapshot entry")
  const meta = JSON.parse(b.subarray(8, 8 + jl).toString("utf8")) as EntryMeta
  const gl = b.readUInt32BE(8 + jl)
  const start = 12 + jl
  if (start + gl > b.length) throw new Error("truncated snapshot entry")
  if (!isDocKey(meta.key) || typeof meta.docId !== "string" || !Array.isArray(meta.heads) || !Array.isArray(meta.chunks))
    throw new Error("snapshot entry without its key, id, heads or chunks")
  const recordsGz = Buffer.from(b.subarray(start, start + gl))
  return { ...meta, recordsGz, saved: Buffer.from(b.subarray(start + gl)) }
}
