import * as path from "node:path"
import Database from "better-sqlite3"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import {
  appointmentsKey,
  clientShardKey,
  docIdFor,
  invoicesKey,
  SEARCH_BODY_VERSION,
  searchBodiesOf,
  snapshotLines,
  type DocKey,
  type SnapshotLine,
  type SnapshotRecords,
} from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { BULK_LOAD_KEPT_INDEXES, READ_MODEL_INDEXES } from "../../src/core/readmodel/schema.js"
import { SnapshotApplier } from "../../src/core/SnapshotApplier.js"
import { recordRows, tmpDir } from "./fixtures.js"

const CLINIC = "bulk"
const clinic = generateClinic({ seed: "bulk-load", clients: 150, patients: 200, priceItems: 12 })
const ZONE = "Europe/Moscow"

/** Each record's document, worked out once */
const SHARDS = {
  clients: clinic.clients.map(c => clientShardKey(c.id)),
  patients: clinic.patients.map(p => clientShardKey(p.clientId)),
  appointments: clinic.appointments.map(a => appointmentsKey(a.start, ZONE)),
  invoices: clinic.invoices.map(i => invoicesKey(i.issuedAt, ZONE)),
}

/** The clinic's records as a relay's snapshot would carry them: one line per document, `deleted` as chosen. */
const snapshotOf = (deletedClients: Set<number>, deletedPatients: Set<number>): SnapshotLine[] => {
  const parts = new Map<DocKey, SnapshotRecords>()
  const part = (key: DocKey): SnapshotRecords => {
    let p = parts.get(key)
    if (!p) parts.set(key, (p = { type: "records", key, clients: [], patients: [], appointments: [], invoices: [] }))
    return p
  }
  clinic.clients.forEach((c, i) => part(SHARDS.clients[i]!).clients.push({ ...c, deleted: deletedClients.has(i) }))
  clinic.patients.forEach((p, i) => part(SHARDS.patients[i]!).patients.push({ ...p, deleted: deletedPatients.has(i) }))
  clinic.appointments.forEach((a, i) => part(SHARDS.appointments[i]!).appointments.push(a))
  clinic.invoices.forEach((v, i) => part(SHARDS.invoices[i]!).invoices.push(v))
  return snapshotLines(
    {
      clinicId: CLINIC,
      generatedAt: "2026-12-01T00:00:00.000Z",
      docs: { pricelist: { docId: docIdFor(CLINIC, "pricelist"), heads: [] } },
    },
    [...parts.values()],
    clinic.priceItems,
    [],
  )
}

/** Everything a read model holds that staff can see or search, each table in a fixed order. */
const dump = (file: string): Record<string, unknown[]> => {
  const db = new Database(file, { readonly: true })
  try {
    const all = (sql: string): unknown[] => db.prepare(sql).all()
    return {
      ...recordRows(file),
      // every search row is reachable through its client's key
      keyed: all(
        "SELECT k.id FROM client_keys k JOIN client_search s ON s.rowid = k.n WHERE s.id = k.id ORDER BY k.id",
      ),
      indexes: all("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
    }
  } finally {
    db.close()
  }
}

const indexNames = (file: string): string[] => {
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[]
  } finally {
    db.close()
  }
}

describe("a fresh desk's bulk load of a snapshot", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const readModel = (name: string): { rm: ReadModel; file: string } => {
    const file = path.join(tmpDir(name), "readmodel.sqlite")
    const rm = ReadModel.open(file)
    // as a desk's snapshot load runs (and without an fsync per batch here)
    rm.setDurable(false)
    open.push(rm)
    return { rm, file }
  }

  it("ends with the same rows, search index and indexes as records written one by one with every index live", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: clinic.clients.length - 1 }), { maxLength: 20 }),
        fc.uniqueArray(fc.nat({ max: clinic.patients.length - 1 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
        (deadClients, deadPatients, cuts) => {
          const lines = snapshotOf(new Set(deadClients), new Set(deadPatients))
          // the new way: SnapshotApplier on an empty read model, in batches of lines as they stream in
          const bulk = readModel("bulk")
          const apply = new SnapshotApplier(bulk.rm, CLINIC)
          let at = 0
          for (let i = 0; at < lines.length; i++) {
            const n = cuts[i % cuts.length]!
            apply.lines(lines.slice(at, at + n))
            at += n
          }
          bulk.rm.transaction(() => apply.finish())
          // the way before: each record upserted with every index in place, the search index rebuilt whole
          const ref = readModel("ref")
          ref.rm.transaction(() => {
            for (const l of lines)
              if (l.type === "records") {
                for (const c of l.clients) ref.rm.upsertClient(c)
                for (const p of l.patients) ref.rm.upsertPatient(p)
                for (const a of l.appointments) ref.rm.upsertAppointment(a, l.key)
                for (const i of l.invoices) ref.rm.upsertInvoice(i, l.key)
              } else if (l.type === "priceList") ref.rm.replacePriceList(l.items)
            ref.rm.searchIndex.reindexAll()
          })
          expect(dump(bulk.file)).toEqual(dump(ref.file))
          const someone = clinic.clients.find((_, i) => !deadClients.includes(i))!
          expect(bulk.rm.clients.search(someone.name).map(h => h.id)).toContain(someone.id)
        },
      ),
      { numRuns: 2 },
    )
  })

  it("drops the secondary indexes search does not read while it loads, and builds them again with the end line", () => {
    const { rm, file } = readModel("indexes")
    expect(indexNames(file).sort()).toEqual([...READ_MODEL_INDEXES].sort())
    const lines = snapshotOf(new Set(), new Set())
    const apply = new SnapshotApplier(rm, CLINIC)
    apply.lines(lines.slice(0, 3))
    // all but the ones search reads, which answers meanwhile
    expect(indexNames(file).sort()).toEqual([...BULK_LOAD_KEPT_INDEXES].sort())
    expect(BULK_LOAD_KEPT_INDEXES.length).toBeLessThan(READ_MODEL_INDEXES.length)
    // and the search index does not merge its segments until the end
    expect(rm.searchIndex.mergingOff()).toBe(true)
    const first = lines.find((l): l is SnapshotRecords => l.type === "records" && l.clients.length > 0)!
    expect(rm.clients.search(first.clients[0]!.name).map(h => h.id)).toContain(first.clients[0]!.id)
    apply.lines(lines.slice(3))
    expect(indexNames(file).sort()).toEqual([...READ_MODEL_INDEXES].sort())
    expect(rm.searchIndex.mergingOff()).toBe(false)
  })

  it("a read model left without its indexes (a desk stopped half-way) gets them back when it opens", () => {
    const { rm, file } = readModel("reopen")
    expect(rm.searchIndex.mergingOff()).toBe(false)
    rm.dropIndexes()
    expect(rm.searchIndex.mergingOff()).toBe(true)
    rm.close()
    open.splice(open.indexOf(rm), 1)
    const again = ReadModel.open(file)
    open.push(again)
    expect(indexNames(file).sort()).toEqual([...READ_MODEL_INDEXES].sort())
    expect(again.searchIndex.mergingOff()).toBe(false)
  })

  it("indexes the search bodies the relay ships exactly as the desk makes them itself, for any clients", () => {
    // names as staff type them (ё, capitals, doubled spaces), phones in every stored form, e-mails, pets
    const name = fc
      .array(fc.constantFrom("Фёдоров", "ФЁДОРОВА", "анна", " ", "  ", "Ёжиков", "O'Brien", "Кузнецов-Ли"), {
        minLength: 1,
        maxLength: 4,
      })
      .map(ws => ws.join(" "))
    const phone = fc.constantFrom("+7 916 123-45-67", "89161234567", "8 (916) 123 45 67", "", "+44 20 7946 0958", "12-34")
    const person = fc.record({ name, phone, email: fc.constantFrom("", "Anna@Mail.RU", "ёж@почта.рф"), deleted: fc.boolean() })
    const pet = fc.record({ name: fc.constantFrom("Бобик", "ЁЖИК", "Barsik"), chip: fc.constantFrom("", "643094100000777"), deleted: fc.boolean() })
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(person, { minLength: 1, maxLength: 12 }),
        fc.array(pet, { maxLength: 16 }),
        fc.integer({ min: 1, max: 4 }),
        (seed, people, pets, shardCount) => {
          const generated = generateClinic({ seed, clients: people.length, patients: pets.length, priceItems: 1, days: 1, appointmentsPerDay: 1 })
          const clients = generated.clients.map((c, i) => ({ ...c, ...people[i]! }))
          const patients = generated.patients.map((p, i) => ({ ...p, ...pets[i]! }))
          // client shards as the relay makes their records lines (snapshotPart: a shard's clients
          // with their patients, and searchBodiesOf them; shared/test/snapshotParts checks that)
          const lines: SnapshotRecords[] = []
          for (let k = 0; k < shardCount; k++) {
            const mine = clients.filter((_, i) => i % shardCount === k)
            const theirs = patients.filter(p => mine.some(c => c.id === p.clientId))
            lines.push({
              type: "records",
              key: `clients/${k}` as DocKey,
              clients: mine,
              patients: theirs,
              appointments: [],
              invoices: [],
              search: { version: SEARCH_BODY_VERSION, bodies: searchBodiesOf(mine, theirs) },
            })
          }
          const load = (name: string, parts: SnapshotRecords[]): string => {
            const { rm, file } = readModel(name)
            const apply = new SnapshotApplier(rm, CLINIC)
            apply.lines(snapshotLines({ clinicId: CLINIC, generatedAt: "2026-12-01T00:00:00.000Z", docs: {} }, parts, [], []))
            return file
          }
          // the relay's bodies as shipped; none (the desk makes them); another version's (ignored)
          const shipped = dump(load("shipped", lines))
          const made = dump(load("made", lines.map(({ search: _, ...l }) => l)))
          const other = lines.map(l => ({ ...l, search: { version: SEARCH_BODY_VERSION + 1, bodies: l.clients.map(() => "x") } }))
          expect(shipped).toEqual(made)
          expect(dump(load("other", other))).toEqual(made)
          // every live client has its search row
          const live = clients.filter(c => !c.deleted).map(c => c.id).sort()
          expect((shipped.search ?? []).map(r => (r as { id: string }).id).sort()).toEqual(live)
          // the shipped bodies are the ones indexed (not made again): one marked is found as marked
          const marked = lines.map(l => ({ ...l, search: { version: SEARCH_BODY_VERSION, bodies: l.clients.map(c => `${c.id}\u001fотмечен`) } }))
          const { rm } = readModel("marked")
          new SnapshotApplier(rm, CLINIC).lines(snapshotLines({ clinicId: CLINIC, generatedAt: "2026-12-01T00:00:00.000Z", docs: {} }, marked, [], []))
          expect(rm.clients.search("отмечен", 50).map(h => h.id).sort()).toEqual(live)
        },
      ),
      { numRuns: 12 },
    )
  })
})
