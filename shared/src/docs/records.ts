import * as A from "@automerge/automerge"
import { PROFILE_FIELDS, profileFrom, type ClinicProfile } from "../schema/profile.js"
import type { Collection, PriceItem, RecordByCollection } from "../schema/records.js"
import { fromDoc, priceItemFromDoc, str } from "./convert.js"
import { STAFF_ROLES, type StaffMember, type StaffRole, type WorkingHours } from "../schema/staff.js"
import { workingHoursProblem } from "../schema/workingHours.js"
import type {
  AnyClinicDoc,
  DocKind,
  PriceListDoc,
  ProfileDoc,
  RejectionsDoc,
  StaffDoc,
  StaffMemberDoc,
} from "./types.js"

/** Which collections a document kind holds, and under which top-level field. */
export const COLLECTIONS_OF_KIND: Record<DocKind, readonly Collection[]> = {
  root: [],
  clients: ["clients", "patients"],
  appointments: ["appointments"],
  invoices: ["invoices"],
  pricelist: [],
  rejections: [],
  profile: [],
  staff: [],
}

export type AnyRecord = { [C in Collection]: { collection: C; record: RecordByCollection[C] } }[Collection]

/** Every record a document holds, as plain records. */
export function* recordsOfDoc(doc: AnyClinicDoc): Generator<AnyRecord> {
  for (const collection of COLLECTIONS_OF_KIND[doc.kind] ?? []) {
    const map = (doc as unknown as Record<string, Record<string, unknown>>)[collection]
    if (!map) continue
    for (const id of Object.keys(map)) {
      const r = readRecord(doc, collection, id)
      if (r) yield r
    }
  }
}

/** One record of a document, or undefined when the document does not hold it. */
export const readRecord = (doc: AnyClinicDoc, collection: Collection, id: string): AnyRecord | undefined => {
  const map = (doc as unknown as Record<string, Record<string, unknown>>)[collection]
  const d = map?.[id]
  if (!d || typeof d !== "object") return undefined
  const convert = fromDoc[collection] as (d: unknown) => RecordByCollection[typeof collection]
  return { collection, record: convert(d) } as AnyRecord
}

/**
 * The records (collection, id) that differ between two sets of heads of a document,
 * computed with Automerge.diff: only the records touched by the changes in between.
 */
export const changedRecordsBetween = (
  doc: A.Doc<AnyClinicDoc>,
  before: A.Heads,
  after: A.Heads,
): { collection: Collection; id: string }[] => {
  const seen = new Set<string>()
  const out: { collection: Collection; id: string }[] = []
  const collections = COLLECTIONS_OF_KIND[doc.kind] ?? []
  for (const patch of A.diff(doc, before, after)) {
    const [top, id] = patch.path
    if (typeof top !== "string" || typeof id !== "string") continue
    if (!(collections as readonly string[]).includes(top)) continue
    const k = `${top}/${id}`
    if (seen.has(k)) continue
    seen.add(k)
    out.push({ collection: top as Collection, id })
  }
  return out
}

export const priceItemsOfDoc = (doc: PriceListDoc): PriceItem[] => Object.values(doc.items ?? {}).map(priceItemFromDoc)

export interface Rejection {
  key: string
  reason: string
  at: string
  recordUpdatedAt: string
}

export const rejectionsOfDoc = (doc: RejectionsDoc): Rejection[] =>
  Object.values(doc.rejections ?? {}).map(r => ({
    key: str(r.key),
    reason: str(r.reason),
    at: str(r.at),
    recordUpdatedAt: str(r.recordUpdatedAt),
  }))

/** The profile a profile document holds, or null while it holds only its genesis (nothing published yet). */
export const profileOfDoc = (doc: ProfileDoc): ClinicProfile | null => {
  if (str(doc.publishedAt) === "") return null
  const fields: Partial<Record<keyof ClinicProfile, string>> = {}
  for (const f of PROFILE_FIELDS) fields[f] = str(doc.profile?.[f])
  return profileFrom(fields)
}

const hoursOf = (text: string): WorkingHours => {
  try {
    const v: unknown = JSON.parse(text)
    return workingHoursProblem(v) === null ? (v as WorkingHours) : {}
  } catch {
    return {}
  }
}

/** One member of a staff document as a StaffMember (unknown roles read as reception, bad hours as none). */
export const staffMemberFromDoc = (d: StaffMemberDoc): StaffMember => {
  const role = str(d.role)
  return {
    id: str(d.id),
    name: str(d.name),
    role: (STAFF_ROLES as readonly string[]).includes(role) ? (role as StaffRole) : "reception",
    active: d.active === true,
    pinHash: str(d.pinHash),
    workingHours: hoursOf(str(d.workingHours)),
  }
}

/** The members a staff document holds, or null while it holds only its genesis (nothing published yet). */
export const staffOfDoc = (doc: StaffDoc): StaffMember[] | null => {
  if (str(doc.publishedAt) === "") return null
  return Object.values(doc.members ?? {}).map(staffMemberFromDoc)
}
