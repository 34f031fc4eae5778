import * as A from "@automerge/automerge"
import { decodeChangeMessage, type AnyClinicDoc, type Collection } from "@vetsync/shared"
import type { ChangeBy, FieldChange, HistoryEntry } from "../api.js"
import type { ChangeIndex, ChangeMeta } from "./ChangeIndex.js"

/** Bookkeeping fields every write touches: the history shows what staff changed, not these. */
const BOOKKEEPING = new Set(["id", "createdAt", "createdBy", "updatedAt", "updatedBy"])

/** Who wrote a change: its message's author (a desk's), or the server when it names none. */
export const changeBy = (meta: ChangeMeta, staffName: (id: string) => string): ChangeBy => {
  const author = decodeChangeMessage(meta.message)
  const at = new Date(meta.time * 1000).toISOString()
  if (!author) return { source: "server", desk: "", staff: "", staffName: "", at }
  return { source: "desk", desk: author.desk, staff: author.staff, staffName: author.staff ? staffName(author.staff) : "", at }
}

/** A value as the history shows it: text as it is, numbers as digits, anything else as JSON. */
export const valueText = (v: unknown): string => {
  if (v === undefined || v === null) return ""
  if (typeof v === "string") return v
  if (typeof v === "number" || typeof v === "boolean") return String(v)
  if (v instanceof A.ImmutableString) return v.val
  return JSON.stringify(v)
}

type Backend = ReturnType<typeof A.getBackend>

const recordObject = (doc: AnyClinicDoc, collection: Collection, id: string): string | null => {
  const map = (doc as unknown as Record<string, Record<string, unknown> | undefined>)[collection]
  const rec = map?.[id]
  return rec && typeof rec === "object" ? A.getObjectId(rec) : null
}

/** The record's object and the objects nested in it (its text fields, an invoice's lines), every value of a conflict too. */
const objectsOf = (backend: Backend, objId: string): Map<string, string> => {
  const objects = new Map<string, string>([[objId, ""]])
  for (const key of backend.keys(objId))
    for (const v of backend.getAll(objId, key))
      if (v[0] === "text" || v[0] === "list" || v[0] === "map") objects.set(v[1], key)
  return objects
}

const materialize = (backend: Backend, objId: string, heads: string[]): Record<string, unknown> => {
  if (heads.length === 0) return {}
  try {
    const v = backend.materialize(objId, heads)
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    // the object did not exist yet at these heads
    return {}
  }
}

/**
 * A record's history from its document's own changes, newest first: each change that wrote into
 * the record's object (or an object nested in it), with its author and time, and each field it
 * changed, from the record as it stood before the change (the change's dependencies) to the record
 * just after it. Only the record's own changes are read (the index knows which), never the others
 * of its shard or month.
 */
export const recordHistory = (
  doc: AnyClinicDoc,
  index: ChangeIndex,
  collection: Collection,
  id: string,
  staffName: (id: string) => string,
): HistoryEntry[] => {
  const objId = recordObject(doc, collection, id)
  if (!objId) return []
  index.update<AnyClinicDoc>(doc)
  const backend = A.getBackend<AnyClinicDoc>(doc)
  const hashes: string[] = []
  const seen = new Set<string>()
  for (const obj of objectsOf(backend, objId).keys())
    for (const c of [...index.changesOf(obj), ...index.bigChanges()])
      if (!seen.has(c.hash)) {
        seen.add(c.hash)
        hashes.push(c.hash)
      }
  hashes.sort((x, y) => index.orderOf(x) - index.orderOf(y))
  const entries: HistoryEntry[] = []
  for (const hash of hashes) {
    const meta = index.meta(hash)
    if (!meta) continue
    const before = materialize(backend, objId, meta.deps)
    const after = materialize(backend, objId, [hash])
    // a big change (an import) that did not write this record: nothing before and after, or no field changed
    if (Object.keys(after).length === 0) continue
    const created = Object.keys(before).length === 0
    const fields: FieldChange[] = []
    for (const field of new Set([...Object.keys(after), ...Object.keys(before)])) {
      if (BOOKKEEPING.has(field)) continue
      const from = valueText(before[field])
      const to = valueText(after[field])
      if (from !== to) fields.push({ field, from, to })
    }
    if (fields.length === 0 && !created) continue
    const author = decodeChangeMessage(meta.message)
    entries.push({ ...changeBy(meta, staffName), hash, created, cmd: author?.cmd ?? "", fields })
  }
  // newest first; changes of one second keep their causal order, reversed
  return entries.map((e, i) => ({ e, i })).sort((x, y) => y.e.at.localeCompare(x.e.at) || y.i - x.i).map(x => x.e)
}
