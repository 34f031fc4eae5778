import * as A from "@automerge/automerge"
import { PROFILE_FIELDS, profileFrom, type ClinicProfile } from "../schema/profile.js"
import type { Collection, PriceItem, RecordByCollection } from "../schema/records.js"
import type { Payment } from "../schema/payments.js"
import { fromDoc, paymentFromDoc, priceItemFromDoc, sortPayments, str } from "./convert.js"
import { STAFF_ROLES, type StaffMember, type StaffRole, type WorkingHours } from "../schema/staff.js"
import { workingHoursProblem } from "../schema/workingHours.js"
import { kindOfDoc } from "./leanRead.js"
import type {
  AnyClinicDoc,
  DocKind,
  PaymentDoc,
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

/** The payments of an invoices document by invoice id (keys "<invoiceId>:<paymentId>"), each list oldest first. */
export const paymentsByInvoice = (doc: AnyClinicDoc): Map<string, Payment[]> => {
  const out = new Map<string, Payment[]>()
  if (doc.kind !== "invoices") return out
  const map = (doc).payments
  if (!map) return out
  for (const [key, d] of Object.entries(map)) {
    const colon = key.indexOf(":")
    if (colon <= 0 || !d || typeof d !== "object") continue
    const invoiceId = key.slice(0, colon)
    const list = out.get(invoiceId)
    const p = paymentFromDoc(d)
    if (list) list.push(p)
    else out.set(invoiceId, [p])
  }
  for (const list of out.values()) sortPayments(list)
  return out
}

/** The payments of one invoice in its document, oldest first. */
export const paymentsOfInvoice = (doc: AnyClinicDoc, invoiceId: string): Payment[] => {
  if (doc.kind !== "invoices") return []
  const map = (doc).payments
  if (!map) return []
  const prefix = `${invoiceId}:`
  const out: Payment[] = []
  for (const key of Object.keys(map)) if (key.startsWith(prefix)) out.push(paymentFromDoc(map[key] as PaymentDoc))
  return sortPayments(out)
}

/** Every record a document holds, as plain records. */
export function* recordsOfDoc(doc: AnyClinicDoc): Generator<AnyRecord> {
  const payments = paymentsByInvoice(doc)
  for (const collection of COLLECTIONS_OF_KIND[doc.kind] ?? []) {
    const map = (doc as unknown as Record<string, Record<string, unknown>>)[collection]
    if (!map) continue
    for (const id of Object.keys(map)) {
      const r = readOne(doc, collection, id, () => payments.get(id) ?? [])
      if (r) yield r
    }
  }
}

const readOne = (
  doc: AnyClinicDoc,
  collection: Collection,
  id: string,
  payments: () => Payment[],
): AnyRecord | undefined => {
  const map = (doc as unknown as Record<string, Record<string, unknown>>)[collection]
  const d = map?.[id]
  if (!d || typeof d !== "object") return undefined
  const convert = fromDoc[collection] as (d: unknown) => RecordByCollection[typeof collection]
  const record = convert(d)
  if (collection === "invoices") (record as RecordByCollection["invoices"]).payments = payments()
  return { collection, record } as AnyRecord
}

/** One record of a document (an invoice with its payments), or undefined when the document does not hold it. */
export const readRecord = (doc: AnyClinicDoc, collection: Collection, id: string): AnyRecord | undefined =>
  readOne(doc, collection, id, () => paymentsOfInvoice(doc, id))

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
  // a lean document's root has no fields: its kind is read from its wasm document
  const kind = kindOfDoc(doc)
  const collections = (kind && COLLECTIONS_OF_KIND[kind]) ?? []
  for (const patch of A.diff(doc, before, after)) {
    const [top, key] = patch.path
    if (typeof top !== "string" || typeof key !== "string") continue
    // a payment changes its invoice (the invoice record carries its payments)
    const id = top === "payments" && kind === "invoices" ? key.slice(0, Math.max(0, key.indexOf(":"))) : key
    if (top === "payments" && kind === "invoices") {
      if (id === "" || seen.has(`invoices/${id}`)) continue
      seen.add(`invoices/${id}`)
      out.push({ collection: "invoices", id })
      continue
    }
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

/** The revoked desks a profile document names (the registry's, as the bridge published them). */
export const revokedDesksOfDoc = (doc: ProfileDoc): string[] => Object.keys(doc.revokedDesks ?? {}).sort()

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
