import * as A from "@automerge/automerge"
import type { Collection } from "../schema/records.js"
import { STATE, isLeanDoc } from "./leanDoc.js"
import type { AnyClinicDoc, DocKind } from "./types.js"

/** What these readers use of Automerge's wasm document. */
interface Reading {
  getWithType(obj: string, prop: string, heads?: A.Heads): [string, unknown] | null
  keys(obj: string, heads?: A.Heads): string[]
  materialize(obj: string, heads?: A.Heads): unknown
  text(obj: string, heads?: A.Heads): string
  enableFreeze(enable: boolean): boolean
}

const backendOf = (doc: A.Doc<unknown>): { wasm: Reading; heads: A.Heads | undefined } => {
  const state = Reflect.get(doc, STATE) as { handle: Reading; heads?: A.Heads }
  return { wasm: state.handle, heads: state.heads }
}

/**
 * The id of the map under `key` of the object `parent` (an object id, "_root" for the root);
 * undefined when there is none, or when what is there is not a map. Lookups go key by key with
 * object ids: Automerge's path strings resolve a missing key to the nearest object above it.
 */
const childObject = (wasm: Reading, heads: A.Heads | undefined, parent: string, key: string): string | undefined => {
  const found = wasm.getWithType(parent, key, heads)
  return found && found[0] === "map" && typeof found[1] === "string" ? found[1] : undefined
}

/** The document's kind: read from its wasm document when it is lean (its root has no fields). */
export const kindOfDoc = (doc: A.Doc<AnyClinicDoc>): DocKind | undefined => {
  if (!isLeanDoc(doc)) return doc.kind
  const { wasm, heads } = backendOf(doc)
  const found = wasm.getWithType("_root", "kind", heads)
  if (!found) return undefined
  if (found[0] === "text" && typeof found[1] === "string") return wasm.text(found[1], heads) as DocKind
  return typeof found[1] === "string" ? (found[1] as DocKind) : undefined
}

/** The record ids of one collection of the document (read from wasm when it is lean). */
export const recordIdsOf = (doc: A.Doc<AnyClinicDoc>, collection: Collection): string[] => {
  if (!isLeanDoc(doc))
    return Object.keys((doc as unknown as Record<string, Record<string, unknown> | undefined>)[collection] ?? {})
  const { wasm, heads } = backendOf(doc)
  const map = childObject(wasm, heads, "_root", collection)
  return map ? wasm.keys(map, heads) : []
}

/**
 * What `readRecord` needs of the document to read these records: the document itself when it is not
 * lean; for a lean one, a plain object with its kind, these records (those it holds) and, for
 * invoices, their payments, read from Automerge's wasm document one object at a time. A seed-scale
 * client shard's whole contents (`contentsOf`) take some 90 ms to read; a handful of records, well
 * under a millisecond.
 */
export const contentsFor = (
  doc: A.Doc<AnyClinicDoc>,
  targets: readonly { collection: Collection; id: string }[],
): AnyClinicDoc => {
  if (!isLeanDoc(doc)) return doc
  const { wasm, heads } = backendOf(doc)
  // as A.toJS reads: plain objects, not frozen ones
  const frozen = wasm.enableFreeze(false)
  try {
    return { kind: kindOfDoc(doc), ...readRecords(wasm, heads, targets) } as unknown as AnyClinicDoc
  } finally {
    wasm.enableFreeze(frozen)
  }
}

/** These records' objects by collection and id (those the document holds), and the payments of the invoices among them. */
const readRecords = (
  wasm: Reading,
  heads: A.Heads | undefined,
  targets: readonly { collection: Collection; id: string }[],
): Record<string, Record<string, unknown>> => {
  const out: Record<string, Record<string, unknown>> = {}
  const maps = new Map<string, string | undefined>()
  const mapOf = (name: string): string | undefined => {
    if (!maps.has(name)) maps.set(name, childObject(wasm, heads, "_root", name))
    return maps.get(name)
  }
  const invoiceIds = new Set<string>()
  for (const { collection, id } of targets) {
    const into = (out[collection] ??= {})
    const map = mapOf(collection)
    const obj = map === undefined ? undefined : childObject(wasm, heads, map, id)
    if (obj !== undefined) into[id] = wasm.materialize(obj, heads)
    if (collection === "invoices") invoiceIds.add(id)
  }
  const payments = invoiceIds.size > 0 ? mapOf("payments") : undefined
  if (payments === undefined) return out
  const into: Record<string, unknown> = (out.payments = {})
  for (const key of wasm.keys(payments, heads)) {
    const colon = key.indexOf(":")
    if (colon <= 0 || !invoiceIds.has(key.slice(0, colon))) continue
    const obj = childObject(wasm, heads, payments, key)
    if (obj !== undefined) into[key] = wasm.materialize(obj, heads)
  }
  return out
}
