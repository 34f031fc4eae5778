import * as fs from "node:fs"
import * as path from "node:path"
import { Readable } from "node:stream"
import Database from "better-sqlite3"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import {
  appointmentsKey,
  clientShardKey,
  docIdFor,
  invoicesKey,
  snapshotLines,
  type DocKey,
  type SnapshotLine,
  type SnapshotRecords,
} from "@vetsync/shared"
import { generateClinic, sampleProfile, type GeneratedClinic } from "@vetsync/test-kit/seed"
import { buildReadModelImage } from "../../src/core/buildReadModelImage.js"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { SnapshotApplier } from "../../src/core/SnapshotApplier.js"
import { recordRows, tmpDir } from "./fixtures.js"

const CLINIC = "image"
const ZONE = "Europe/Moscow"
const clinic = generateClinic({ seed: "image", clients: 120, patients: 160, priceItems: 9 })
const DOCS = {
  pricelist: { docId: docIdFor(CLINIC, "pricelist"), heads: [] },
  rejections: { docId: docIdFor(CLINIC, "rejections"), heads: [] },
  profile: { docId: docIdFor(CLINIC, "profile"), heads: [] },
}

/** The clinic's snapshot with the clients and patients chosen deleted, a rejection and a profile or none. */
const snapshotOf = (
  dead: Set<number>,
  deadPets: Set<number>,
  withProfile: boolean,
  clinicId = CLINIC,
  records: GeneratedClinic = clinic,
): SnapshotLine[] => {
  const clinic = records
  const parts = new Map<DocKey, SnapshotRecords>()
  const part = (key: DocKey): SnapshotRecords => {
    let p = parts.get(key)
    if (!p) parts.set(key, (p = { type: "records", key, clients: [], patients: [], appointments: [], invoices: [] }))
    return p
  }
  clinic.clients.forEach((c, i) => part(clientShardKey(c.id)).clients.push({ ...c, deleted: dead.has(i) }))
  clinic.patients.forEach((p, i) => part(clientShardKey(p.clientId)).patients.push({ ...p, deleted: deadPets.has(i) }))
  for (const a of clinic.appointments) part(appointmentsKey(a.start, ZONE)).appointments.push(a)
  for (const v of clinic.invoices) part(invoicesKey(v.issuedAt, ZONE)).invoices.push(v)
  const docs = Object.fromEntries(Object.entries(DOCS).map(([k, v]) => [k, { ...v, docId: docIdFor(clinicId, k as DocKey) }]))
  return snapshotLines(
    { clinicId, generatedAt: "2026-12-01T00:00:00.000Z", docs },
    [...parts.values()],
    clinic.priceItems,
    [{ key: `clients/${clinic.clients[0]!.id}`, reason: "refused by the bridge", at: "2026-12-01T00:00:00.000Z", recordUpdatedAt: "x" }],
    withProfile ? sampleProfile(CLINIC) : null,
  )
}

/** pieces of the clinic's names and phones as staff type them (3 letters or more: the trigram index answers) */
const PROBES = clinic.clients
  .filter((_, i) => i % 7 === 0)
  .flatMap(c => [c.name.toLowerCase().slice(0, 4), c.name.toLowerCase().slice(-3), c.phone.replace(/\D/g, "").slice(-4)])
  .filter(q => q.length >= 3)

const ndjson = (lines: SnapshotLine[]): Readable => Readable.from([lines.map(l => JSON.stringify(l)).join("\n") + "\n"])

/** Everything staff see or search: the records (recordRows), and the lists, keys, profile and index's own answers. */
const dump = (file: string): Record<string, unknown> => {
  const db = new Database(file, { readonly: true })
  try {
    const all = (sql: string): unknown[] => db.prepare(sql).all()
    return {
      ...recordRows(file),
      rejections: all("SELECT * FROM rejections ORDER BY key"),
      keyed: all("SELECT k.id FROM client_keys k JOIN client_search s ON s.rowid = k.n WHERE s.id = k.id ORDER BY k.id"),
      profile: all("SELECT v FROM meta WHERE k = 'clinicProfile'"),
      // what the search index itself answers (not its content table): trigram matches of pieces of names and phones
      matches: PROBES.map(q => db.prepare("SELECT id FROM client_search WHERE client_search MATCH ? ORDER BY id").pluck().all(`"${q}"`)),
    }
  } finally {
    db.close()
  }
}

describe("a read-model image (the relay's bulk load, taken whole by a new desk)", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const readModel = (name: string): { rm: ReadModel; file: string } => {
    const file = path.join(tmpDir(name), "readmodel.sqlite")
    const rm = ReadModel.open(file)
    open.push(rm)
    return { rm, file }
  }
  const imageOf = async (lines: SnapshotLine[], clinicId = CLINIC): Promise<string> => {
    const file = path.join(tmpDir("image"), "image.sqlite")
    await buildReadModelImage(ndjson(lines), clinicId, file)
    return file
  }

  it("gives a desk the same records, search and lists as applying the snapshot itself, and a live search index", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: clinic.clients.length - 1 }), { maxLength: 20 }),
        fc.uniqueArray(fc.nat({ max: clinic.patients.length - 1 }), { maxLength: 30 }),
        fc.boolean(),
        async (dead, deadPets, withProfile) => {
          const lines = snapshotOf(new Set(dead), new Set(deadPets), withProfile)
          const direct = readModel("direct")
          const apply = new SnapshotApplier(direct.rm, CLINIC)
          apply.lines(lines)
          direct.rm.transaction(() => apply.finish())
          const desk = readModel("adopting")
          // a desk searches while the image downloads: its connection has read the (empty) search index
          expect(desk.rm.clients.search("ова")).toEqual([])
          const header = desk.rm.adoptImage(await imageOf(lines), CLINIC)
          expect(header).toEqual(lines[0])
          expect(dump(desk.file)).toEqual(dump(direct.file))
          // the search index taken whole is consistent, and takes further writes
          const db = new Database(desk.file)
          expect(() => db.exec("INSERT INTO client_search (client_search) VALUES ('integrity-check')")).not.toThrow()
          db.close()
          const someone = clinic.clients.find((_, i) => !dead.includes(i))!
          expect(desk.rm.clients.search(someone.name).map(h => h.id)).toContain(someone.id)
          const added = { ...someone, id: "client-added-after", name: "Зимородкова Агата", deleted: false }
          desk.rm.transaction(() => {
            desk.rm.upsertClient(added)
            desk.rm.searchIndex.reindexClient(added.id)
          })
          expect(desk.rm.clients.search("Зимородкова").map(h => h.id)).toEqual([added.id])
        },
      ),
      { numRuns: 3 },
    )
  })

  it("leaves its pages in the WAL while checkpoints are paused, and in the database once they resume", async () => {
    // more pages than SQLite's automatic checkpoint waits for (1000): it would have run at the next commit
    const big = generateClinic({ seed: "wal", clients: 5000, patients: 5000, priceItems: 1, days: 1, appointmentsPerDay: 1 })
    const lines = snapshotOf(new Set(), new Set(), false, CLINIC, big)
    const desk = readModel("checkpoints")
    const before = fs.statSync(desk.file).size
    desk.rm.pauseCheckpoints()
    desk.rm.adoptImage(await imageOf(lines), CLINIC)
    desk.rm.transaction(() => desk.rm.setMeta("after", "the image"))
    // searchable meanwhile, from the WAL
    expect(desk.rm.counts().clients).toBe(big.clients.length)
    expect(fs.statSync(desk.file).size).toBe(before)
    desk.rm.resumeCheckpoints()
    expect(fs.statSync(desk.file).size).toBeGreaterThan(before + 4_000_000)
    expect(desk.rm.counts().clients).toBe(big.clients.length)
  })

  it("keeps the lists of the documents the desk has read itself", async () => {
    const lines = snapshotOf(new Set(), new Set(), true)
    const desk = readModel("own-lists")
    const mine = [{ ...clinic.priceItems[0]!, name: "the desk's own price" }]
    desk.rm.transaction(() => {
      desk.rm.replacePriceList(mine)
      desk.rm.ledger.setDocHeads(DOCS.pricelist.docId, "pricelist", ["a".repeat(64)])
    })
    desk.rm.adoptImage(await imageOf(lines), CLINIC)
    expect(desk.rm.priceList.search("", 100).map(p => p.name)).toEqual(["the desk's own price"])
    expect(desk.rm.counts().clients).toBe(clinic.clients.length)
  })

  it("is refused, changing nothing, when it is another clinic's, another version's or another shape, or the desk has records", async () => {
    const lines = snapshotOf(new Set(), new Set(), false)
    const good = await imageOf(lines)
    const other = await imageOf(snapshotOf(new Set(), new Set(), false, "another"), "another")
    const tamper = async (sql: string): Promise<string> => {
      const file = await imageOf(lines)
      const db = new Database(file)
      db.exec(sql)
      db.close()
      return file
    }
    const cases: [string, string, RegExp][] = [
      ["another clinic", other, /clinic another, expected image/],
      ["another version", await tamper("UPDATE meta SET v = '5' WHERE k = 'version'"), /version 5/],
      ["no header", await tamper("DELETE FROM meta WHERE k = 'imageHeader'"), /no snapshot header/],
      ["another shape", await tamper("ALTER TABLE patients ADD COLUMN weight TEXT"), /patients differs/],
    ]
    for (const [what, file, error] of cases) {
      const desk = readModel(what.replace(/ /g, "-"))
      expect(() => desk.rm.adoptImage(file, CLINIC), what).toThrow(error)
      expect(desk.rm.counts(), what).toEqual({ clients: 0, patients: 0, appointments: 0, invoices: 0 })
      expect(desk.rm.priceList.search("", 100), what).toEqual([])
      // and the honest image is still taken by that same desk
      desk.rm.adoptImage(good, CLINIC)
      expect(desk.rm.counts().clients, what).toBe(clinic.clients.length)
    }
    const busy = readModel("busy")
    busy.rm.transaction(() => busy.rm.upsertClient(clinic.clients[0]!))
    expect(() => busy.rm.adoptImage(good, CLINIC)).toThrow(/has records already/)
    expect(busy.rm.counts().clients).toBe(1)
  })
})
