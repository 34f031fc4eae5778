import { promisify } from "node:util"
import { gzip as gzipCb } from "node:zlib"
import type { ClinicProfile } from "../schema/profile.js"
import type { PriceItem } from "../schema/records.js"
import { SEARCH_BODY_VERSION, searchBodiesOf } from "../schema/searchBody.js"
import { conflictsIn } from "./conflicts.js"
import { isDocKey, type DocKey } from "./layout.js"
import { priceItemsOfDoc, profileOfDoc, recordsOfDoc, rejectionsOfDoc, type Rejection } from "./records.js"
import { SNAPSHOT_FORMAT, type SnapshotDocState, type SnapshotLine, type SnapshotRecords } from "./snapshot.js"
import type { AnyClinicDoc } from "./types.js"

const gzip = promisify(gzipCb)

/**
 * One document's part of a clinic's bootstrap snapshot, made from the document alone: its heads,
 * its records line already compressed (one gzip member: members concatenate into one stream) and
 * what it adds to the snapshot's other lines. The relay keeps one per document and makes again
 * only a changed document's (its SnapshotEntry adds the saved bytes); a desk serving its clinic to
 * a LAN peer makes them as it reads its documents. assembleSnapshotGz puts them together.
 */
export interface SnapshotPart {
  key: DocKey
  docId: string
  /** automerge-repo UrlHeads the part reflects */
  heads: string[]
  /** records in its records line (0: no records line) */
  records: number
  /** gzip member of its records line (empty: none) */
  recordsGz: Buffer
  /** root: the partitions it names, in its order */
  partitions?: DocKey[]
  priceItems?: PriceItem[]
  rejections?: Rejection[]
  /** present on the profile document's part (null: a profile document without a profile) */
  profile?: ClinicProfile | null
}

/** The records line of one document (a client shard, a month of appointments or invoices). */
const recordsLine = (key: DocKey, doc: AnyClinicDoc): SnapshotRecords => {
  const line: SnapshotRecords = { type: "records", key, clients: [], patients: [], appointments: [], invoices: [] }
  const conflicts: NonNullable<SnapshotRecords["conflicts"]> = []
  const conflictedFields = conflictsIn(doc)
  for (const r of recordsOfDoc(doc)) {
    if (r.collection === "clients") line.clients.push(r.record)
    else if (r.collection === "patients") line.patients.push(r.record)
    else if (r.collection === "appointments") line.appointments.push(r.record)
    else line.invoices.push(r.record)
    const fields = conflictedFields(r.collection, r.record.id)
    if (fields.length) conflicts.push({ collection: r.collection, id: r.record.id, fields })
  }
  if (conflicts.length) line.conflicts = conflicts
  if (line.clients.length > 0)
    line.search = { version: SEARCH_BODY_VERSION, bodies: searchBodiesOf(line.clients, line.patients) }
  return line
}

/** The part of one document at `heads`; undefined for a document without a kind (not a clinic document yet). */
export const snapshotPart = async (key: DocKey, docId: string, doc: AnyClinicDoc, heads: string[]): Promise<SnapshotPart | undefined> => {
  if ((doc as { kind?: unknown }).kind === undefined) return undefined
  const part: SnapshotPart = { key, docId, heads, records: 0, recordsGz: Buffer.alloc(0) }
  if (doc.kind === "root") part.partitions = Object.keys(doc.partitions ?? {}).filter(isDocKey)
  else if (doc.kind === "pricelist") part.priceItems = priceItemsOfDoc(doc)
  else if (doc.kind === "rejections") part.rejections = rejectionsOfDoc(doc)
  else if (doc.kind === "profile") part.profile = profileOfDoc(doc)
  // staff: the desk reads the members from the document itself (in the bundle)
  else if (doc.kind !== "staff") {
    const line = recordsLine(key, doc)
    part.records = line.clients.length + line.patients.length + line.appointments.length + line.invoices.length
    part.recordsGz = await gzip(`${JSON.stringify(line)}\n`)
  }
  return part
}

const lines = (ls: SnapshotLine[]): string => ls.map(l => `${JSON.stringify(l)}\n`).join("")

/**
 * The snapshot (`GET /clinics/:id/snapshot`, gzip NDJSON) from its parts, in the order given (the
 * root first: it names the month partitions): the header, each part's records line as it is, the
 * price list, the rejections, the clinic profile and the end line. `acked` (a desk serving a LAN
 * peer only): per document, the heads the relay acknowledged to that desk.
 */
export const assembleSnapshotGz = async (
  clinicId: string,
  parts: readonly SnapshotPart[],
  generatedAt: string,
  acked?: Partial<Record<DocKey, string[]>>,
): Promise<Buffer> => {
  const docs: Partial<Record<DocKey, SnapshotDocState>> = {}
  const priceList: PriceItem[] = []
  const rejections: Rejection[] = []
  let profile: ClinicProfile | null = null
  let records = 0
  for (const p of parts) {
    docs[p.key] = { docId: p.docId, heads: p.heads }
    records += p.records
    if (p.priceItems) priceList.push(...p.priceItems)
    if (p.rejections) rejections.push(...p.rejections)
    if (p.profile !== undefined) profile = p.profile
  }
  const header = await gzip(
    lines([{ type: "header", format: SNAPSHOT_FORMAT, clinicId, generatedAt, docs, records, ...(acked ? { acked } : {}) }]),
  )
  const tail = await gzip(
    lines([
      { type: "priceList", items: priceList },
      { type: "rejections", items: rejections },
      { type: "profile", profile },
      { type: "end", records },
    ]),
  )
  return Buffer.concat([header, ...parts.map(p => p.recordsGz), tail])
}
