import * as A from "@automerge/automerge"
import {
  type AnyClinicDoc,
  type Appointment,
  type Client,
  type ClinicRecords,
  type DocKey,
  type Invoice,
  type Patient,
  type PriceListDoc,
  type RootDoc,
  appointmentsKey,
  clientShardKey,
  genesisDoc,
  invoicesKey,
  priceItemToDoc,
  priceItemsOfDoc,
  recordToDoc,
  recordsOfDoc,
} from "@vetsync/shared"
import { DEFAULT_TIME_ZONE } from "@vetsync/shared/schema"

/** The reference for the import's tests: the import by A.change before issue 13, and what a document holds. */
const group = <T>(items: readonly T[], keyOf: (t: T) => DocKey, into: Map<DocKey, T[]>): void => {
  for (const t of items) {
    const k = keyOf(t)
    const list = into.get(k)
    if (list) list.push(t)
    else into.set(k, [t])
  }
}

/** The import as it was before issue 13 (one A.change per document through the proxies): the reference. */
export const buildByProxy = (
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

export const ACTOR = "5eed".repeat(8)

/** What a document holds, as a desk reads it: its records (or price items, or partitions), sorted. */
export const contents = (key: DocKey, doc: A.Doc<AnyClinicDoc>): unknown => {
  if (key === "root") return Object.keys((doc as unknown as RootDoc).partitions).sort()
  if (key === "pricelist")
    return priceItemsOfDoc(doc as unknown as PriceListDoc).sort((a, b) => a.id.localeCompare(b.id))
  return [...recordsOfDoc(doc)].sort((a, b) => a.record.id.localeCompare(b.record.id))
}
