import { promisify } from "node:util"
import { gzip as gzipCb } from "node:zlib"
import * as A from "@automerge/automerge"
import {
  isDocKey,
  priceItemsOfDoc,
  profileOfDoc,
  recordsOfDoc,
  rejectionsOfDoc,
  type AnyClinicDoc,
  type ClinicProfile,
  type DocKey,
  type PriceItem,
  type Rejection,
  type SnapshotRecords,
} from "@vetsync/shared"

export const gzip = promisify(gzipCb)

/**
 * One document's part of a clinic's bootstrap snapshot, made from the document alone: its heads,
 * its records line already compressed (one gzip member: members concatenate into one stream), its
 * saved bytes for the bundle, and what it adds to the snapshot's other lines. When a document
 * changes only its entry is made again; the snapshot is assembled from the entries.
 */
export interface SnapshotEntry {
  key: DocKey
  docId: string
  /** automerge-repo UrlHeads the entry reflects */
  heads: string[]
  /** the storage's chunk names of the document when it was read (compared after a restart) */
  chunks: string[]
  /** records in its records line (0: no records line) */
  records: number
  /** gzip member of its records line (empty: none) */
  recordsGz: Buffer
  /** Automerge.save() of the document */
  saved: Buffer
  /** root: the partitions it names, in its order */
  partitions?: DocKey[]
  priceItems?: PriceItem[]
  rejections?: Rejection[]
  /** present on the profile document's entry (null: a profile document without a profile) */
  profile?: ClinicProfile | null
  /** the file it is kept in (SnapshotFiles), once written */
  file?: string
}

/** The records line of one document (a client shard, a month of appointments or invoices). */
const recordsLine = (key: DocKey, doc: AnyClinicDoc): SnapshotRecords => {
  const part: SnapshotRecords = { type: "records", key, clients: [], patients: [], appointments: [], invoices: [] }
  for (const r of recordsOfDoc(doc)) {
    if (r.collection === "clients") part.clients.push(r.record)
    else if (r.collection === "patients") part.patients.push(r.record)
    else if (r.collection === "appointments") part.appointments.push(r.record)
    else part.invoices.push(r.record)
  }
  return part
}

/** The entry of one document; undefined for a document without a kind (not a clinic document yet). */
export const makeEntry = async (
  key: DocKey,
  docId: string,
  doc: AnyClinicDoc,
  heads: string[],
  chunks: string[],
): Promise<SnapshotEntry | undefined> => {
  if ((doc as { kind?: unknown }).kind === undefined) return undefined
  const entry: SnapshotEntry = { key, docId, heads, chunks, records: 0, recordsGz: Buffer.alloc(0), saved: Buffer.from(A.save<AnyClinicDoc>(doc)) }
  if (doc.kind === "root") entry.partitions = Object.keys(doc.partitions ?? {}).filter(isDocKey)
  else if (doc.kind === "pricelist") entry.priceItems = priceItemsOfDoc(doc)
  else if (doc.kind === "rejections") entry.rejections = rejectionsOfDoc(doc)
  else if (doc.kind === "profile") entry.profile = profileOfDoc(doc)
  // staff: the desk reads the members from the document itself (in the bundle)
  else if (doc.kind !== "staff") {
    const line = recordsLine(key, doc)
    entry.records = line.clients.length + line.patients.length + line.appointments.length + line.invoices.length
    entry.recordsGz = await gzip(`${JSON.stringify(line)}\n`)
  }
  return entry
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
