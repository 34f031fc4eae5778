import { assembleSnapshotGz, encodeBundle, ClinicLayout, docIdFor, type DocKey } from "@vetsync/shared"
import type { ClinicDocSource } from "./ClinicDocSource.js"
import type { DocOwnership } from "./DocOwnership.js"
import type { EntryRequest } from "./entryThread.js"
import type { HeldEntry, SnapshotEntry } from "./SnapshotEntry.js"

/** A clinic's bootstrap snapshot as assembled: the gzip NDJSON, the bundle, each document's heads in it. */
export interface BuiltSnapshot {
  gz: Buffer
  bundle: Buffer
  /** document id -> heads the snapshot reflects */
  heads: Map<string, string[]>
}

/** The clinic's layout as the entries tell it: the fixed documents, the shards, and the root's partitions. */
export const layoutOf = (clinicId: string, entries: ReadonlyMap<DocKey, HeldEntry>): ClinicLayout => {
  const layout = new ClinicLayout(clinicId)
  for (const key of entries.get("root")?.partitions ?? []) layout.add(key)
  return layout
}

/** The documents a snapshot holds, in its order: the root first (it names the month partitions). */
const inOrder = <E extends HeldEntry>(clinicId: string, entries: ReadonlyMap<DocKey, E>): E[] => {
  const keys = layoutOf(clinicId, entries).keys().filter(k => k !== "root")
  return ["root" as const, ...keys].flatMap(k => entries.get(k) ?? [])
}

/**
 * Assembles the snapshot (gzip NDJSON: the header, each document's records, the price list,
 * rejections, the clinic profile, the end) from the documents' entries, without reading any
 * document: the records lines are the entries' gzip members as they are (assembleSnapshotGz, as a
 * desk serving its LAN peers assembles its own).
 */
export const snapshotGz = (clinicId: string, entries: ReadonlyMap<DocKey, SnapshotEntry>, generatedAt: string): Promise<Buffer> =>
  assembleSnapshotGz(clinicId, inOrder(clinicId, entries), generatedAt)

/** The records the snapshot of these entries holds (its header's count), without assembling it. */
export const snapshotRecords = (clinicId: string, entries: ReadonlyMap<DocKey, HeldEntry>): number =>
  inOrder(clinicId, entries).reduce((n, e) => n + e.records, 0)

/** The bundle (every document saved whole) from the same entries, in the snapshot's order. */
export const snapshotBundle = (clinicId: string, entries: ReadonlyMap<DocKey, SnapshotEntry>): Buffer =>
  encodeBundle(inOrder(clinicId, entries).map(e => ({ key: e.key, docId: e.docId, bytes: e.saved })))

/** The snapshot, the bundle and the heads they reflect, from the entries. */
export const assembleSnapshot = async (
  clinicId: string,
  entries: ReadonlyMap<DocKey, SnapshotEntry>,
  generatedAt: string,
): Promise<BuiltSnapshot> => ({
  gz: await snapshotGz(clinicId, entries, generatedAt),
  bundle: snapshotBundle(clinicId, entries),
  heads: new Map(inOrder(clinicId, entries).map(e => [e.docId, e.heads])),
})

/** Makes an entry from a document's bytes (EntryWorker.make: off the relay's main thread). */
export type EntryMaker = (req: Omit<EntryRequest, "id">) => Promise<SnapshotEntry | undefined>

/**
 * The entry of one document of the clinic, read on its own (ClinicDocSource.bytes: from the Repo if
 * it holds it, as the changes since its previous entry when there is one, else its stored chunks),
 * made by `make`; undefined when the clinic does not own it, it is not stored, or it has no kind yet.
 */
export const readEntry = async (
  clinicId: string,
  key: DocKey,
  ownership: DocOwnership,
  source: ClinicDocSource,
  chunks: (docId: string) => string[],
  make: EntryMaker,
  previous?: SnapshotEntry,
): Promise<SnapshotEntry | undefined> => {
  const docId = docIdFor(clinicId, key)
  if (ownership.ownerOf(docId) !== clinicId) return undefined
  // the chunk names before the read: a later write makes them differ, never the other way round
  const names = chunks(docId)
  const got = await source.bytes(docId, previous)
  if (!got) return undefined
  return make({ key, docId, chunks: names, bytes: got.bytes, ...(got.heads ? { heads: got.heads } : {}) })
}

/** Every document's entry, read one at a time: the root first, then each document it and the layout name. */
export const buildEntries = async (
  clinicId: string,
  ownership: DocOwnership,
  source: ClinicDocSource,
  chunks: (docId: string) => string[],
  make: EntryMaker,
): Promise<Map<DocKey, SnapshotEntry>> => {
  const entries = new Map<DocKey, SnapshotEntry>()
  const root = await readEntry(clinicId, "root", ownership, source, chunks, make)
  if (root) entries.set("root", root)
  for (const key of layoutOf(clinicId, entries).keys()) {
    if (key === "root") continue
    const e = await readEntry(clinicId, key, ownership, source, chunks, make)
    if (e) entries.set(key, e)
  }
  return entries
}
