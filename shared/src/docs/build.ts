import * as A from "@automerge/automerge"
import type { Appointment, Client, Invoice, Patient, PriceItem } from "../schema/records.js"
import { DEFAULT_TIME_ZONE } from "../schema/zone.js"
import { priceItemToDoc, recordToDoc } from "./convert.js"
import { ImportChange } from "./importChange.js"
import { reserveWasmBytes } from "./WasmHeadroom.js"
import { appointmentsKey, clientShardKey, invoicesKey, type DocKey } from "./layout.js"
import type { AnyClinicDoc } from "./types.js"

export interface ClinicRecords {
  /** the clinic's time zone: month partitions are its months (default DEFAULT_TIME_ZONE) */
  timeZone?: string
  clients: readonly Client[]
  patients: readonly Patient[]
  appointments?: readonly Appointment[]
  invoices?: readonly Invoice[]
  priceItems?: readonly PriceItem[]
}

/**
 * One document of an import, before it is built: its key and the plain records going into it
 * (structured-cloneable, so a worker thread can build it: buildClinicBinariesParallel).
 */
export interface DocPlan {
  key: DocKey
  clients?: Client[]
  patients?: Patient[]
  appointments?: Appointment[]
  invoices?: Invoice[]
  priceItems?: readonly PriceItem[]
  /** the price list's publishedAt */
  publishedAt?: string
}

type RecordList = "clients" | "patients" | "appointments" | "invoices"

/** The documents an import builds besides the root, in the order buildClinicBinaries returns them. */
export const planClinicDocs = (records: ClinicRecords): DocPlan[] => {
  const plans = new Map<DocKey, DocPlan>()
  const add = <T>(list: RecordList, items: readonly T[] | undefined, keyOf: (t: T) => DocKey): void => {
    for (const t of items ?? []) {
      const key = keyOf(t)
      let plan = plans.get(key)
      if (!plan) plans.set(key, (plan = { key }))
      ;((plan[list] ??= []) as T[]).push(t)
    }
  }
  add("clients", records.clients, c => clientShardKey(c.id))
  add("patients", records.patients, p => clientShardKey(p.clientId))
  const zone = records.timeZone ?? DEFAULT_TIME_ZONE
  add("appointments", records.appointments, a => appointmentsKey(a.start, zone))
  add("invoices", records.invoices, i => invoicesKey(i.issuedAt, zone))
  const out = [...plans.values()]
  if (records.priceItems)
    out.push({ key: "pricelist", priceItems: records.priceItems, publishedAt: new Date().toISOString() })
  return out
}

/** How much work a plan is, roughly (operations): to share plans out between threads. */
export const planWeight = (p: DocPlan): number =>
  (p.clients?.length ?? 0) * 8 +
  (p.patients?.length ?? 0) * 12 +
  (p.appointments?.length ?? 0) * 10 +
  (p.invoices?.length ?? 0) * 20 +
  (p.priceItems?.length ?? 0) * 8

const recordEntries = <T extends { id: string }>(list: readonly T[] | undefined): [string, Record<string, unknown>][] =>
  (list ?? []).map(r => [r.id, recordToDoc({ ...r })])

/** One planned document, built (its genesis, then the import's one change) and saved. */
export const buildDocBinary = (clinicId: string, plan: DocPlan, actor: string): Uint8Array => {
  const c = new ImportChange(clinicId, plan.key, actor)
  if (plan.priceItems) {
    c.putAll(
      "items",
      plan.priceItems.map(p => [p.id, priceItemToDoc(p) as unknown as Record<string, unknown>]),
    )
    c.put("_root", "publishedAt", plan.publishedAt ?? new Date().toISOString())
    return c.saveAndFree(`import ${plan.key}`)
  }
  for (const list of ["clients", "patients", "appointments", "invoices"] as const)
    if (plan[list]) c.putAll(list, recordEntries<{ id: string }>(plan[list]))
  return c.saveAndFree(`import ${plan.key}`)
}

/** The root document listing the built month partitions and shards. */
export const buildRootBinary = (clinicId: string, keys: Iterable<DocKey>, actor: string): Uint8Array => {
  const root = new ImportChange(clinicId, "root", actor)
  const partitions = root.objectId("partitions")
  for (const p of keys) if (p !== "pricelist") root.put(partitions, p, true)
  return root.saveAndFree(null)
}

/**
 * Builds a clinic's documents from plain records as saved bytes, one change per document on top
 * of its genesis (an import: the seeds' morning download, or the existing web system's rows).
 * `actor` identifies the importer in the history.
 */
export const buildClinicBinaries = (
  clinicId: string,
  records: ClinicRecords,
  actor: string,
): Map<DocKey, Uint8Array> => {
  const out = new Map<DocKey, Uint8Array>()
  for (const plan of planClinicDocs(records)) out.set(plan.key, buildDocBinary(clinicId, plan, actor))
  out.set("root", buildRootBinary(clinicId, out.keys(), actor))
  return out
}

/** buildClinicBinaries, loaded: the clinic's documents from plain records. */
export const buildClinicDocs = (
  clinicId: string,
  records: ClinicRecords,
  actor: string,
): Map<DocKey, A.Doc<AnyClinicDoc>> => {
  const out = new Map<DocKey, A.Doc<AnyClinicDoc>>()
  for (const [key, bytes] of buildClinicBinaries(clinicId, records, actor)) out.set(key, A.load(bytes, { actor }))
  return out
}

/**
 * Reserves wasm memory up front. With thousands of Automerge objects alive, every growth of
 * the wasm heap triggered full garbage collections (14-24 ms per new document instead of
 * 0.5 ms in our measurement); one large allocation, freed at once, leaves room to grow into.
 * The memory is not returned to the system, but its pages stay untouched (reserveWasmBytes)
 * until Automerge writes them; the import no longer needs it (ImportChange frees each document).
 * WasmHeadroom does it whenever the memory grew, for a process that keeps documents loaded.
 */
export const reserveWasmMemory = (megabytes: number): void => reserveWasmBytes(megabytes * 1024 * 1024)
