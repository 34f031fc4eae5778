import { profileFrom, type ClinicProfile } from "../schema/profile.js"
import { COLLECTIONS, type Appointment, type Client, type Collection, type Invoice, type Patient, type PriceItem } from "../schema/records.js"
import type { FieldConflict } from "./conflicts.js"
import { docIdFor, isDocKey, type DocKey } from "./layout.js"
import type { Rejection } from "./records.js"

/** Where one document of the snapshot stood: its id and its heads (automerge-repo UrlHeads, base58). */
export interface SnapshotDocState {
  docId: string
  heads: string[]
}

/** The wire format's version, in its header line (3: the clinic profile line). */
export const SNAPSHOT_FORMAT = 3

/**
 * A clinic's records as plain JSON, so a new desk can search within seconds, and the heads of
 * every document it was built from, so the desk knows when its background sync has caught up.
 */
export interface ClinicSnapshot {
  clinicId: string
  /** ISO time the relay built the snapshot */
  generatedAt: string
  docs: Partial<Record<DocKey, SnapshotDocState>>
  records: {
    clients: Client[]
    patients: Patient[]
    appointments: Appointment[]
    invoices: Invoice[]
  }
  priceList: PriceItem[]
  rejections: Rejection[]
  /** null while the bridge has published no profile */
  profile: ClinicProfile | null
}

/** The records of one document: a client shard (clients with their patients) or a month partition. */
export interface SnapshotRecords {
  type: "records"
  key: DocKey
  clients: Client[]
  patients: Patient[]
  appointments: Appointment[]
  invoices: Invoice[]
  /**
   * The search body of each client, in the clients' order ("" for a deleted one), made by
   * searchBody of `version` (SEARCH_BODY_VERSION): a new desk indexes them as they are, and makes
   * its own when the version is not its own or they are absent (a snapshot of an older relay).
   */
  search?: { version: number; bodies: string[] }
  /**
   * The records of the document that hold concurrent values (conflictsOf), for the desk's conflicts
   * list: a desk taking the snapshot sees them as a desk that synced the document does. Absent from
   * a snapshot of an older relay (and when there are none).
   */
  conflicts?: { collection: Collection; id: string; fields: FieldConflict[] }[]
}

/**
 * What `GET /clinics/:clinicId/snapshot` of the relay returns: gzip NDJSON, one of these per line.
 * A header, the records document by document (a desk applies and indexes them as they arrive,
 * without holding the whole clinic in memory), the price list, the rejections, the clinic's profile, and an end line
 * whose count proves nothing was cut off.
 */
export type SnapshotLine =
  | {
      type: "header"
      format: number
      clinicId: string
      generatedAt: string
      /** records in the lines that follow (for a progress bar) */
      records: number
      docs: Partial<Record<DocKey, SnapshotDocState>>
      /**
       * Only in a snapshot a desk serves to a LAN peer (issue 15): per document, the heads the relay
       * acknowledged as durable to that desk (UrlHeads). The relay's own snapshot has none: there
       * every head is at the relay.
       */
      acked?: Partial<Record<DocKey, string[]>>
    }
  | SnapshotRecords
  | { type: "priceList"; items: PriceItem[] }
  | { type: "rejections"; items: Rejection[] }
  | { type: "profile"; profile: ClinicProfile | null }
  | { type: "end"; records: number }

export type SnapshotHeader = Extract<SnapshotLine, { type: "header" }>

/**
 * Why a snapshot header cannot be a snapshot of `clinicId` (undefined: it can): another clinic's, or
 * naming a document that is not this clinic's (a document's id derives from the clinic and its key).
 */
export const snapshotHeaderProblem = (header: SnapshotHeader, clinicId: string): string | undefined => {
  if (header.clinicId !== clinicId) return `snapshot is of clinic ${header.clinicId}, expected ${clinicId}`
  for (const [key, state] of Object.entries(header.docs))
    if (!isDocKey(key) || state?.docId !== docIdFor(clinicId, key))
      return `snapshot names document ${key} as ${String(state?.docId)}, not clinic ${clinicId}'s`
  return undefined
}

export const isSnapshotRecords = (l: SnapshotLine): l is SnapshotRecords => l.type === "records"

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const arrays = (o: Record<string, unknown>, names: string[]): boolean => names.every(n => Array.isArray(o[n]))

/** `search` of a records line: a version and one body (a string) per client. */
const searchOk = (search: unknown, clients: number): boolean =>
  isObject(search) &&
  typeof search.version === "number" &&
  Array.isArray(search.bodies) &&
  search.bodies.length === clients &&
  search.bodies.every(b => typeof b === "string")

const strings = (v: unknown): boolean => Array.isArray(v) && v.every(x => typeof x === "string")

/** A records line's conflicts: each of a record of a known collection, each field's values strings. */
const conflictsOk = (conflicts: unknown): boolean =>
  Array.isArray(conflicts) &&
  conflicts.every(
    c =>
      isObject(c) &&
      (COLLECTIONS as readonly unknown[]).includes(c.collection) &&
      typeof c.id === "string" &&
      Array.isArray(c.fields) &&
      c.fields.every(f => isObject(f) && typeof f.field === "string" && typeof f.kept === "string" && strings(f.others)),
  )

/** Parses one line of a snapshot; a line that is not one of SnapshotLine is an error naming it. */
export const parseSnapshotLine = (text: string, lineNo = 0): SnapshotLine => {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new Error(`snapshot line ${lineNo}: not JSON (${(e as Error).message})`)
  }
  const bad = (why: string): Error => new Error(`snapshot line ${lineNo}: ${why}`)
  if (!isObject(v)) throw bad("not an object")
  switch (v.type) {
    case "header":
      if (v.format !== SNAPSHOT_FORMAT)
        throw bad(`format ${String(v.format)}, this desk reads format ${SNAPSHOT_FORMAT}`)
      if (
        typeof v.clinicId !== "string" ||
        typeof v.generatedAt !== "string" ||
        typeof v.records !== "number" ||
        !isObject(v.docs) ||
        (v.acked !== undefined && !isObject(v.acked))
      )
        throw bad("malformed header")
      return v as SnapshotLine
    case "records":
      if (typeof v.key !== "string" || !isDocKey(v.key)) throw bad(`unknown document ${String(v.key)}`)
      if (!arrays(v, ["clients", "patients", "appointments", "invoices"])) throw bad("malformed records")
      if (v.search !== undefined && !searchOk(v.search, (v.clients as unknown[]).length))
        throw bad("malformed search bodies")
      if (v.conflicts !== undefined && !conflictsOk(v.conflicts)) throw bad("malformed conflicts")
      return v as SnapshotLine
    case "priceList":
    case "rejections":
      if (!Array.isArray(v.items)) throw bad(`malformed ${v.type}`)
      return v as SnapshotLine
    case "profile":
      if (v.profile !== null && !isObject(v.profile)) throw bad("malformed profile")
      return v as SnapshotLine
    case "end":
      if (typeof v.records !== "number") throw bad("malformed end")
      return v as SnapshotLine
    default:
      throw bad(`unknown line type ${String(v.type)}`)
  }
}

/** The records a records line carries. */
export const recordCount = (l: SnapshotRecords): number =>
  l.clients.length + l.patients.length + l.appointments.length + l.invoices.length

/** The lines of a snapshot, header first and end last. */
export const snapshotLines = (
  header: Omit<SnapshotHeader, "type" | "format" | "records">,
  parts: SnapshotRecords[],
  priceList: PriceItem[],
  rejections: Rejection[],
  profile: ClinicProfile | null = null,
): SnapshotLine[] => {
  const records = parts.reduce((n, p) => n + recordCount(p), 0)
  return [
    { type: "header", format: SNAPSHOT_FORMAT, ...header, records },
    ...parts,
    { type: "priceList", items: priceList },
    { type: "rejections", items: rejections },
    { type: "profile", profile },
    { type: "end", records },
  ]
}

/** Reads a whole snapshot (NDJSON text) into one object: for tests and tools, not for desks. */
export const readSnapshot = (ndjson: string): ClinicSnapshot => {
  const snap: ClinicSnapshot = {
    clinicId: "",
    generatedAt: "",
    docs: {},
    records: { clients: [], patients: [], appointments: [], invoices: [] },
    priceList: [],
    rejections: [],
    profile: null,
  }
  let ended = false
  ndjson.split("\n").forEach((text, i) => {
    if (text.trim() === "") return
    const l = parseSnapshotLine(text, i + 1)
    if (l.type === "header") Object.assign(snap, { clinicId: l.clinicId, generatedAt: l.generatedAt, docs: l.docs })
    else if (l.type === "records") {
      snap.records.clients.push(...l.clients)
      snap.records.patients.push(...l.patients)
      snap.records.appointments.push(...l.appointments)
      snap.records.invoices.push(...l.invoices)
    } else if (l.type === "priceList") snap.priceList = l.items
    else if (l.type === "rejections") snap.rejections = l.items
    else if (l.type === "profile") snap.profile = l.profile ? profileFrom(l.profile) : null
    else ended = true
  })
  if (!ended) throw new Error("snapshot has no end line: it was cut off")
  return snap
}
