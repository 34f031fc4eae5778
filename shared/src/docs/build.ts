import * as A from "@automerge/automerge"
import type { Appointment, Client, Invoice, Patient, PriceItem } from "../schema/records.js"
import { DEFAULT_TIME_ZONE } from "../schema/zone.js"
import { priceItemToDoc, recordToDoc } from "./convert.js"
import { genesisDoc } from "./genesis.js"
import { appointmentsKey, clientShardKey, invoicesKey, type DocKey } from "./layout.js"
import type { AnyClinicDoc, RootDoc } from "./types.js"

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

/**
 * Builds a clinic's documents from plain records, one change per document on top of its
 * genesis (an import: the seeds' morning download, or the existing web system's rows).
 * `actor` identifies the importer in the history.
 */
export const buildClinicDocs = (
  clinicId: string,
  records: ClinicRecords,
  actor: string,
): Map<DocKey, A.Doc<AnyClinicDoc>> => {
  const clientsBy = new Map<DocKey, Client[]>()
  const patientsBy = new Map<DocKey, Patient[]>()
  const apptsBy = new Map<DocKey, Appointment[]>()
  const invoicesBy = new Map<DocKey, Invoice[]>()
  group(records.clients, c => clientShardKey(c.id), clientsBy)
  group(records.patients, p => clientShardKey(p.clientId), patientsBy)
  const zone = records.timeZone ?? DEFAULT_TIME_ZONE
  group(records.appointments ?? [], a => appointmentsKey(a.start, zone), apptsBy)
  group(records.invoices ?? [], i => invoicesKey(i.issuedAt, zone), invoicesBy)

  const out = new Map<DocKey, A.Doc<AnyClinicDoc>>()
  const build = (key: DocKey, fill: (d: Record<string, Record<string, unknown>>) => void): void => {
    const doc = A.clone(genesisDoc(clinicId, key), { actor })
    out.set(
      key,
      A.change(doc, { message: `import ${key}` }, d => fill(d as unknown as Record<string, Record<string, unknown>>)),
    )
  }
  for (const key of new Set([...clientsBy.keys(), ...patientsBy.keys()]))
    build(key, d => {
      for (const c of clientsBy.get(key) ?? []) d.clients![c.id] = recordToDoc({ ...c })
      for (const p of patientsBy.get(key) ?? []) d.patients![p.id] = recordToDoc({ ...p })
    })
  for (const [key, list] of apptsBy) build(key, d => list.forEach(a => (d.appointments![a.id] = recordToDoc({ ...a }))))
  for (const [key, list] of invoicesBy) build(key, d => list.forEach(i => (d.invoices![i.id] = recordToDoc({ ...i }))))
  if (records.priceItems)
    build("pricelist", d => {
      for (const p of records.priceItems ?? []) d.items![p.id] = priceItemToDoc(p)
      ;(d as unknown as { publishedAt: A.ImmutableString }).publishedAt = new A.ImmutableString(
        new Date().toISOString(),
      )
    })
  const partitions = [...out.keys()].filter(k => k !== "pricelist")
  const root = A.clone(genesisDoc<RootDoc>(clinicId, "root"), { actor })
  out.set(
    "root",
    A.change(root, d => {
      for (const p of partitions) d.partitions[p] = true
    }),
  )
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
