import * as A from "@automerge/automerge"
import {
  encodeBundle,
  type BundleEntry,
  ClinicLayout,
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
  type SnapshotDocState,
  type SnapshotRecords,
} from "@vetsync/shared"
import type { ClinicDocSource } from "./ClinicDocSource.js"
import type { DocOwnership } from "./DocOwnership.js"
import { SnapshotStream } from "./SnapshotStream.js"

/** A clinic's bootstrap snapshot as built: the gzip NDJSON, the bundle, each document's heads in it. */
export interface BuiltSnapshot {
  gz: Buffer
  bundle: Buffer
  /** document id -> heads the snapshot reflects */
  heads: Map<string, string[]>
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

/**
 * Builds the snapshot (gzip NDJSON: the header, each document's records, the price list,
 * rejections, the clinic profile, the end) and the bundle, one document at a time: each is read
 * (ClinicDocSource), turned into its line and its saved bytes, and released before the next.
 */
export const buildSnapshot = async (
clinicId: string,
ownership: DocOwnership,
source: ClinicDocSource,
): Promise<BuiltSnapshot> => {
  const layout = new ClinicLayout(clinicId)
  const generatedAt = new Date().toISOString()
  const docs: Partial<Record<DocKey, SnapshotDocState>> = {}
  const bundle: BundleEntry[] = []
  const out = new SnapshotStream()
  const priceList: PriceItem[] = []
  const rejections: Rejection[] = []
  let profile: ClinicProfile | null = null
  const take = async (key: DocKey): Promise<void> => {
    const docId = layout.idOf(key)
    if (ownership.ownerOf(docId) !== clinicId) return
    const got = await source.get<AnyClinicDoc>(docId)
    if (!got) return
    try {
      const { doc } = got
      if ((doc as { kind?: unknown }).kind === undefined) return
      docs[key] = { docId, heads: got.heads }
      bundle.push({ key, docId, bytes: A.save<AnyClinicDoc>(doc) })
      if (doc.kind === "root") {
        for (const k of Object.keys(doc.partitions ?? {})) if (isDocKey(k)) layout.add(k)
      } else if (doc.kind === "pricelist") priceList.push(...priceItemsOfDoc(doc))
      else if (doc.kind === "rejections") rejections.push(...rejectionsOfDoc(doc))
      else if (doc.kind === "profile") profile = profileOfDoc(doc)
      // staff: the desk reads the members from the document itself (in the bundle)
      else if (doc.kind !== "staff") await out.write(recordsLine(key, doc))
    } finally {
      got.release()
    }
  }
  try {
    // the root first: it names the month partitions
    await take("root")
    for (const key of layout.keys()) if (key !== "root") await take(key)
    await out.write({ type: "priceList", items: priceList })
    await out.write({ type: "rejections", items: rejections })
    await out.write({ type: "profile", profile })
    const gz = await out.finish({ clinicId, generatedAt, docs })
    const heads = new Map(Object.values(docs).flatMap(d => (d ? [[d.docId, d.heads] as const] : [])))
    return { gz, bundle: encodeBundle(bundle), heads }
  } catch (e) {
    out.abort()
    throw e
  }
}
