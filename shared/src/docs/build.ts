import * as A from "@automerge/automerge"
import type { Appointment, Client, Invoice, Patient, PriceItem } from "../schema/records.js"
import { DEFAULT_TIME_ZONE } from "../schema/zone.js"
import { priceItemToDoc, recordToDoc } from "./convert.js"
import { genesisDoc } from "./genesis.js"
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

const group = <T>(items: readonly T[], keyOf: (t: T) => DocKey, into: Map<DocKey, T[]>): void => {
  for (const t of items) {
    const k = keyOf(t)
    const list = into.get(k)
    if (list) list.push(t)
    else into.set(k, [t])
  }
}

type Backend = ReturnType<typeof A.getBackend>

/**
 * One document's import: its genesis, then one change by `actor` putting every record into the
 * document's map of them. The records go straight into the document's backend (the call
 * `d.clients[id] = record` makes inside A.change), and the bytes are saved without A.change's
 * patches: updating the JS view of a document with thousands of new objects cost most of an
 * import's time (233.6 s at seed scale). Same operations, same change, same document.
 */
class ImportChange {
  readonly #doc: A.Doc<AnyClinicDoc>
  readonly #backend: Backend

  constructor(clinicId: string, key: DocKey, actor: string) {
    this.#doc = A.clone(genesisDoc(clinicId, key), { actor })
    this.#backend = A.getBackend(this.#doc)
  }

  /** Puts each record under its id into the top-level map `container` (clients, patients ...). */
  putAll(container: string, entries: Iterable<[string, Record<string, unknown>]>): void {
    const obj = A.getObjectId(this.#doc, container)
    if (obj === null) throw new Error(`the genesis has no ${container}`)
    for (const [id, value] of entries) this.#backend.putObjectFromHydrate(obj, id, value)
  }

  put(obj: string, key: string, value: string | boolean): void {
    if (typeof value === "string") this.#backend.put(obj, key, value, "str")
    else this.#backend.put(obj, key, value, "boolean")
  }

  objectId(container: string): string {
    const obj = A.getObjectId(this.#doc, container)
    if (obj === null) throw new Error(`the genesis has no ${container}`)
    return obj
  }

  /** Commits the change (A.change's message and time) and returns the document's bytes. */
  save(message: string | null): Uint8Array {
    this.#backend.commit(message, Math.floor(Date.now() / 1000))
    return this.#backend.save()
  }
}

const recordEntries = <T extends { id: string }>(list: readonly T[] | undefined): [string, Record<string, unknown>][] =>
  (list ?? []).map(r => [r.id, recordToDoc({ ...r })])

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
  const clientsBy = new Map<DocKey, Client[]>()
  const patientsBy = new Map<DocKey, Patient[]>()
  const apptsBy = new Map<DocKey, Appointment[]>()
  const invoicesBy = new Map<DocKey, Invoice[]>()
  group(records.clients, c => clientShardKey(c.id), clientsBy)
  group(records.patients, p => clientShardKey(p.clientId), patientsBy)
  const zone = records.timeZone ?? DEFAULT_TIME_ZONE
  group(records.appointments ?? [], a => appointmentsKey(a.start, zone), apptsBy)
  group(records.invoices ?? [], i => invoicesKey(i.issuedAt, zone), invoicesBy)

  const out = new Map<DocKey, Uint8Array>()
  for (const key of new Set([...clientsBy.keys(), ...patientsBy.keys()])) {
    const c = new ImportChange(clinicId, key, actor)
    c.putAll("clients", recordEntries(clientsBy.get(key)))
    c.putAll("patients", recordEntries(patientsBy.get(key)))
    out.set(key, c.save(`import ${key}`))
  }
  for (const [key, list] of apptsBy) {
    const c = new ImportChange(clinicId, key, actor)
    c.putAll("appointments", recordEntries(list))
    out.set(key, c.save(`import ${key}`))
  }
  for (const [key, list] of invoicesBy) {
    const c = new ImportChange(clinicId, key, actor)
    c.putAll("invoices", recordEntries(list))
    out.set(key, c.save(`import ${key}`))
  }
  if (records.priceItems) {
    const c = new ImportChange(clinicId, "pricelist", actor)
    c.putAll(
      "items",
      records.priceItems.map(p => [p.id, priceItemToDoc(p) as unknown as Record<string, unknown>]),
    )
    c.put("_root", "publishedAt", new Date().toISOString())
    out.set("pricelist", c.save("import pricelist"))
  }
  const root = new ImportChange(clinicId, "root", actor)
  const partitions = root.objectId("partitions")
  for (const p of out.keys()) if (p !== "pricelist") root.put(partitions, p, true)
  out.set("root", root.save(null))
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
 * The memory is not returned to the system.
 */
export const reserveWasmMemory = (megabytes: number): void => {
  // Automerge copies the bytes it is asked to load into wasm memory (one allocation) before it
  // rejects them as not a document; the freed block stays available to the allocator
  try {
    A.load(new Uint8Array(megabytes * 1024 * 1024))
  } catch {
    // expected: zeros are not an Automerge document
  }
}
