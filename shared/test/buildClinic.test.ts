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
  buildClinicBinaries,
  buildClinicDocs,
  clientShardKey,
  docIdFor,
  genesisDoc,
  invoicesKey,
  priceItemToDoc,
  priceItemsOfDoc,
  recordToDoc,
  recordsOfDoc,
} from "@vetsync/shared"
import { DEFAULT_TIME_ZONE } from "@vetsync/shared/schema"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const group = <T>(items: readonly T[], keyOf: (t: T) => DocKey, into: Map<DocKey, T[]>): void => {
  for (const t of items) {
    const k = keyOf(t)
    const list = into.get(k)
    if (list) list.push(t)
    else into.set(k, [t])
  }
}

/** The import as it was before issue 13 (one A.change per document through the proxies): the reference. */
const buildByProxy = (clinicId: string, records: ClinicRecords, actor: string): Map<DocKey, A.Doc<AnyClinicDoc>> => {
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

const ACTOR = "5eed".repeat(8)

/** What a document holds, as a desk reads it: its records (or price items, or partitions), sorted. */
const contents = (key: DocKey, doc: A.Doc<AnyClinicDoc>): unknown => {
  if (key === "root") return Object.keys((doc as unknown as RootDoc).partitions).sort()
  if (key === "pricelist")
    return priceItemsOfDoc(doc as unknown as PriceListDoc).sort((a, b) => a.id.localeCompare(b.id))
  return [...recordsOfDoc(doc)].sort((a, b) => a.record.id.localeCompare(b.record.id))
}

const small = (seed: number) =>
  generateClinic({ seed, clients: 40, patients: 55, priceItems: 12, days: 3, appointmentsPerDay: 6 })

describe("buildClinicBinaries (the import, issue 13)", () => {
  it("builds the same documents, ids and records as the import by A.change it replaces", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), seed => {
        const clinic = small(seed)
        const clinicId = `c${seed}`
        const before = buildByProxy(clinicId, clinic, ACTOR)
        const after = buildClinicDocs(clinicId, clinic, ACTOR)
        expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
        expect([...after.keys()].map(k => docIdFor(clinicId, k)).sort()).toEqual(
          [...before.keys()].map(k => docIdFor(clinicId, k)).sort(),
        )
        for (const [key, old] of before) {
          const doc = after.get(key)
          if (!doc) throw new Error(`no ${key}`)
          expect(contents(key, doc)).toEqual(contents(key, old))
          // the same layout: the top-level containers are the genesis's objects, the records inside them
          const genesis = genesisDoc(clinicId, key)
          const containers = Object.entries(genesis).filter(([, v]) => typeof v === "object" && !A.isImmutableString(v))
          expect(containers.length).toBeGreaterThan(0)
          for (const [field] of containers) expect(A.getObjectId(doc, field)).toBe(A.getObjectId(genesis, field))
          // the genesis, then one change by the importer on top of it
          const history = A.getHistory(doc).map(h => h.change)
          expect(history).toHaveLength(2)
          expect(history[0]?.hash).toBe(A.getHeads(genesis)[0])
          expect(history[1]?.actor).toBe(ACTOR)
          expect(history[1]?.deps).toEqual(A.getHeads(genesis))
          expect(history[1]?.message).toBe(A.getHistory(old)[1]?.change.message)
        }
        // every record of the clinic is somewhere
        const records = [...after.values()].flatMap(d => [...recordsOfDoc(d)])
        expect(records).toHaveLength(
          clinic.clients.length + clinic.patients.length + clinic.appointments.length + clinic.invoices.length,
        )
      }),
      { numRuns: 6 },
    )
  })

  it("saves bytes that load as the documents, and merge with a desk's own genesis of the same key", () => {
    const clinic = small(7)
    for (const [key, bytes] of buildClinicBinaries("c7", clinic, ACTOR)) {
      const desk = A.change(A.clone(genesisDoc("c7", key), { actor: "d35c".repeat(8) }), d => {
        ;(d as unknown as Record<string, unknown>).marker = new A.ImmutableString("desk")
      })
      const merged = A.merge(desk, A.load<AnyClinicDoc>(bytes))
      expect(contents(key, merged)).toEqual(contents(key, A.load<AnyClinicDoc>(bytes)))
    }
  })
})
