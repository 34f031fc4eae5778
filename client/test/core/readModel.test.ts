import * as path from "node:path"
import Database from "better-sqlite3"
import { afterEach, describe, expect, it } from "vitest"
import { noPaymentsYet, type Appointment, type Client, type Invoice, type Patient } from "@vetsync/shared"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { sampleClient, samplePatient, tmpDir } from "./fixtures.js"

const AT = "2026-11-01T10:00:00.000Z"
const client = (id: string, name: string, phone = "+7 900 000-00-00"): Client => sampleClient(id, name, { phone })
const patient = (id: string, clientId: string, name: string, chip: string): Patient =>
  samplePatient(id, clientId, name, { chip })

describe("read model search index", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const openAt = (file: string): ReadModel => {
    const rm = ReadModel.open(file)
    open.push(rm)
    return rm
  }
  /** search rows, read through a connection of its own (WAL: it sees every committed write) */
  const ftsRows = (file: string): number => {
    const db = new Database(file, { readonly: true })
    try {
      return (db.prepare("SELECT count(*) AS n FROM client_search").get() as { n: number }).n
    } finally {
      db.close()
    }
  }

  it("keeps one search row per client through edits, pets and deletion", () => {
    const file = path.join(tmpDir("rm"), "readmodel.sqlite")
    const rm = openAt(file)
    rm.upsertClient(client("c1", "Соколова Анна"))
    rm.upsertClient(client("c2", "Орлов Пётр"))
    rm.searchIndex.reindexAll()
    rm.upsertClient(client("c1", "Воронцова Анна", "+7 912 345-67-89"))
    rm.upsertPatient(patient("p1", "c1", "Барсик", "643094100000001"))
    rm.searchIndex.reindexClient("c1")
    rm.searchIndex.reindexClient("c1")
    expect(ftsRows(file)).toBe(2)
    expect(rm.clients.search("Соколова")).toEqual([])
    expect(rm.clients.search("Воронцова").map(h => h.id)).toEqual(["c1"])
    expect(rm.clients.search("4567").map(h => h.id)).toEqual(["c1"])
    expect(rm.clients.search("Барсик").map(h => h.id)).toEqual(["c1"])
    expect(rm.clients.search("643094100000001").map(h => h.id)).toEqual(["c1"])
    rm.upsertClient({ ...client("c2", "Орлов Пётр"), deleted: true })
    rm.searchIndex.reindexClient("c2")
    expect(rm.clients.search("Орлов")).toEqual([])
    expect(ftsRows(file)).toBe(1)
  })

  it("migrates a version-1 read model: the index is rebuilt and stays one row per client", () => {
    const file = path.join(tmpDir("rm1"), "readmodel.sqlite")
    // a version-1 read model: the search index without client_keys
    const rm0 = openAt(file)
    rm0.upsertClient(client("c1", "Соколова Анна"))
    open.pop()?.close()
    const raw = new Database(file)
    raw.exec("DROP TABLE client_keys; DELETE FROM client_search; UPDATE meta SET v = '1' WHERE k = 'version'")
    raw.prepare("INSERT INTO client_search (id, body) VALUES ('c1', 'соколова анна 79000000000')").run()
    expect(
      (raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'client_keys'").get() as { n: number }).n,
    ).toBe(0)
    raw.close()

    const rm = openAt(file)
    expect(rm.getMeta("version")).toBe("6")
    expect(rm.clients.search("Соколова").map(h => h.id)).toEqual(["c1"])
    rm.upsertClient(client("c1", "Воронцова Анна"))
    rm.searchIndex.reindexClient("c1")
    expect(ftsRows(file)).toBe(1)
    expect(rm.clients.search("Соколова")).toEqual([])
    expect(rm.clients.search("Воронцова").map(h => h.id)).toEqual(["c1"])
  })

  it("migrates a version-3 read model: phones stored as typed are found however staff type them", () => {
    const file = path.join(tmpDir("rm3"), "readmodel.sqlite")
    const rm0 = openAt(file)
    rm0.upsertClient(client("c1", "Соколова  Анна", "+7 952 618-10-32"))
    rm0.upsertClient(client("c2", "Орлов Пётр", "8 (916) 000-11-22"))
    rm0.searchIndex.reindexAll()
    open.pop()?.close()
    // version 3: no phone key, names as folded, phones in the index as their digits only
    const raw = new Database(file)
    raw.exec("DROP INDEX clients_phone; ALTER TABLE clients DROP COLUMN phone_key; UPDATE meta SET v = '3' WHERE k = 'version'")
    raw.exec("UPDATE clients SET name_lc = 'соколова  анна' WHERE id = 'c1'; DELETE FROM client_search")
    raw.prepare("INSERT INTO client_search (rowid, id, body) VALUES ((SELECT n FROM client_keys WHERE id = 'c1'), 'c1', 'соколова  анна 79526181032')").run()
    raw.prepare("INSERT INTO client_search (rowid, id, body) VALUES ((SELECT n FROM client_keys WHERE id = 'c2'), 'c2', 'орлов петр 89160001122')").run()
    raw.close()
    const before = new Database(file, { readonly: true })
    expect(before.prepare("SELECT v FROM meta WHERE k = 'version'").pluck().get()).toBe("3")
    before.close()

    const rm = openAt(file)
    expect(rm.getMeta("version")).toBe("6")
    expect(rm.clients.search("8 952 618 10 32").map(h => h.id)).toEqual(["c1"])
    expect(rm.clients.search("+7 916 000 11 22").map(h => h.id)).toEqual(["c2"])
    expect(rm.clients.search("соколова анна").map(h => h.id)).toEqual(["c1"])
    // the records keep the phones as the documents hold them
    expect(rm.clients.get("c1")?.phone).toBe("+7 952 618-10-32")
    expect(rm.clients.likelyDuplicates({ name: "Новый", phone: "89160001122" }).map(d => d.id)).toEqual(["c2"])
    expect(ftsRows(file)).toBe(2)
  })

  it("folds ё into е in client and price-list search, whichever staff type", () => {
    const rm = openAt(path.join(tmpDir("rmyo"), "readmodel.sqlite"))
    rm.upsertClient(client("c1", "Фёдоров Семён"))
    rm.upsertPatient({ ...patient("p1", "c1", "Ёжик", ""), clientId: "c1" })
    rm.searchIndex.reindexAll()
    for (const q of ["Федоров", "Фёдоров", "семен", "Семён", "ежик", "Фё"])
      expect(
        rm.clients.search(q).map(h => h.id),
        q,
      ).toEqual(["c1"])
    rm.replacePriceList([
      {
        id: "i1",
        code: "S010",
        name: "Приём повторный",
        kind: "service",
        price: 90000,
        unit: "шт",
        active: true,
        updatedAt: AT,
      },
    ])
    expect(rm.priceList.search("прием").map(i => i.id)).toEqual(["i1"])
    expect(rm.priceList.search("приём").map(i => i.id)).toEqual(["i1"])
  })

  it("refuses a read model of an unknown version", () => {
    const file = path.join(tmpDir("rm9"), "readmodel.sqlite")
    openAt(file).setMeta("version", "9")
    open.pop()?.close()
    expect(() => ReadModel.open(file)).toThrow(/version 9, expected 6/)
  })

  it("migrates a version-3 read model: each appointment and invoice is where version 3 put it, its UTC month", () => {
    const file = path.join(tmpDir("rm3"), "readmodel.sqlite")
    const raw = new Database(file)
    // version 3's tables had no doc_key
    raw.exec(`CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      INSERT INTO meta VALUES ('version', '3');
      CREATE TABLE appointments (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, patient_id TEXT NOT NULL, vet TEXT NOT NULL,
        start TEXT NOT NULL, "end" TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_by TEXT NOT NULL, deleted INTEGER NOT NULL);
      INSERT INTO appointments VALUES ('a1', 'c', 'p', 'Dr', '2026-11-30T22:00:00.000Z', '2026-11-30T22:30:00.000Z', '',
        'scheduled', '', '', 'd', 'd', 0);
      CREATE TABLE invoices (id TEXT PRIMARY KEY, number TEXT NOT NULL, client_id TEXT NOT NULL, patient_id TEXT NOT NULL,
        vet TEXT NOT NULL, issued_at TEXT NOT NULL, status TEXT NOT NULL, paid_at TEXT NOT NULL, total INTEGER NOT NULL,
        lines TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL,
        updated_by TEXT NOT NULL, deleted INTEGER NOT NULL);
      INSERT INTO invoices VALUES ('i1', 'D1-2612-00001', 'c', '', '', '2026-12-31T23:30:00.000Z', 'issued', '', 0, '[]',
        '', '', 'd', 'd', 0);`)
    raw.close()
    const rm = openAt(file)
    expect(rm.getMeta("version")).toBe("6")
    expect(rm.appointments.docKeyOf("a1")).toBe("appointments/2026-11")
    expect(rm.invoices.docKeyOf("i1")).toBe("invoices/2026-12")
    expect(rm.appointments.get("a1")?.start).toBe("2026-11-30T22:00:00.000Z")
  })
})

describe("read model query families", () => {
  const meta = { createdAt: AT, updatedAt: AT, createdBy: "desk-a", updatedBy: "desk-a", deleted: false }
  const appointment = (id: string, start: string, vet: string, more: Partial<Appointment> = {}): Appointment => ({
    id,
    clientId: "c1",
    patientId: "p1",
    vet,
    start,
    end: start,
    reason: "",
    status: "scheduled",
    ...meta,
    ...more,
  })
  const invoice = (id: string, issuedAt: string, clientId: string): Invoice => ({
    id,
    number: `D1-${id}`,
    clientId,
    patientId: "",
    vet: "",
    issuedAt,
    status: "issued",
    paidAt: "",
    ...noPaymentsYet(),
    lines: [
      { id: "l1", itemId: "i1", code: "S010", name: "Приём", kind: "service", price: 100, qtyMilli: 1000, total: 100 },
    ],
    total: 100,
    ...meta,
  })

  it("reads back, family by family, what the write path wrote in one transaction", () => {
    const rm = ReadModel.open(path.join(tmpDir("rmfam"), "readmodel.sqlite"))
    try {
      rm.transaction(() => {
        rm.upsertClient(client("c1", "Соколова Анна"))
        rm.upsertPatient(patient("p2", "c1", "Мурка", ""))
        rm.upsertPatient(patient("p1", "c1", "Барсик", ""))
        rm.upsertPatient({ ...patient("p3", "c1", "Аист", ""), deleted: true })
        rm.upsertAppointment(appointment("a2", "2026-11-02T09:00:00.000Z", "Петров"), "appointments/2026-11")
        rm.upsertAppointment(appointment("a1", "2026-11-02T08:00:00.000Z", "Иванова"), "appointments/2026-11")
        rm.upsertAppointment(appointment("a3", "2026-11-03T08:00:00.000Z", "Сидоров", { deleted: true }), "x")
        rm.upsertInvoice(invoice("i1", "2026-11-05T10:00:00.000Z", "c1"), "invoices/2026-11")
        rm.upsertInvoice(invoice("i2", "2026-12-05T10:00:00.000Z", "c1"), "invoices/2026-12")
        rm.upsertInvoice(invoice("i3", "2026-11-06T10:00:00.000Z", "c9"), "invoices/2026-11")
        rm.replaceRejections([{ key: "invoices/i3", reason: "no client", at: AT, recordUpdatedAt: AT }])
        rm.setConflicts("clients", "c1", [{ field: "phone", kept: "1", others: ["2"] }])
        rm.searchIndex.reindexClient("c1")
      })
      expect(rm.clients.find("Барсик")).toMatchObject({
        total: 1,
        hits: [{ id: "c1", patients: [{ id: "p1" }, { id: "p2" }] }],
      })
      expect(rm.patients.ofClient("c1").map(p => p.id)).toEqual(["p1", "p2"])
      expect(rm.patients.get("p3")?.deleted).toBe(true)
      const day = rm.appointments.between("2026-11-02T00:00:00.000Z", "2026-11-04T00:00:00.000Z")
      expect(day.map(a => a.id)).toEqual(["a1", "a2"])
      expect(rm.appointments.vets()).toEqual(["Иванова", "Петров"])
      expect(rm.appointments.docKeyOf("a3")).toBe("x")
      expect(rm.appointments.docKeyOf("nope")).toBeUndefined()
      const november = { from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" }
      expect(rm.invoices.list({ ...november, limit: 10 }).map(i => i.id)).toEqual(["i3", "i1"])
      expect(rm.invoices.list({ clientId: "c1", limit: 10 }).map(i => i.id)).toEqual(["i2", "i1"])
      expect(rm.invoices.list({ limit: 1 }).map(i => i.id)).toEqual(["i2"])
      expect(rm.invoices.get("i1")?.lines).toHaveLength(1)
      expect(rm.invoices.docKeyOf("i2")).toBe("invoices/2026-12")
      expect(rm.rejectionsAndConflicts.rejections()).toEqual([
        { key: "invoices/i3", reason: "no client", at: AT, recordUpdatedAt: AT },
      ])
      expect(rm.rejectionsAndConflicts.conflicts()).toEqual([
        { collection: "clients", id: "c1", field: "phone", kept: "1", others: ["2"] },
      ])
      expect(rm.counts()).toEqual({ clients: 1, patients: 3, appointments: 3, invoices: 3 })
      expect(rm.updatedAtOf("invoices", "i2")).toBe(AT)
      expect(rm.updatedAtOf("invoices", "nope")).toBeUndefined()
      // the views' lookup answers from the same families
      expect(rm.records.getClient("c1")?.name).toBe("Соколова Анна")
      expect(rm.records.getPatient("p1")?.name).toBe("Барсик")
      expect(rm.records.getAppointment("a1")?.vet).toBe("Иванова")
      expect(rm.records.getInvoice("i1")?.number).toBe("D1-i1")
    } finally {
      rm.close()
    }
  })
})
