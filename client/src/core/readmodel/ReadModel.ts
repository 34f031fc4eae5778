import Database from "better-sqlite3"
import {
  phoneKey,
  profileFrom,
  type Appointment,
  type Client,
  type ClinicProfile,
  type Collection,
  type Invoice,
  type Patient,
  type PriceItem,
  type Rejection,
} from "@vetsync/shared"
import { READ_MODEL_DDL, READ_MODEL_LATE_DDL, READ_MODEL_VERSION } from "./schema.js"
import { addMissingColumns, migrateReadModel } from "./migrateReadModel.js"
import { ReadModelQueries } from "./ReadModelQueries.js"
import { fold, nameKey, searchBody } from "./searchText.js"
import { SyncLedger } from "./SyncLedger.js"

type Row = Record<string, unknown>
const b = (v: boolean): number => (v ? 1 : 0)

/**
 * The desk's materialized read model in SQLite (WAL, synchronous=FULL): records, a trigram
 * search index, the price list, the rejections and the conflicts (queries in ReadModelQueries).
 * The sync bookkeeping kept in the same file (the document heads the records reflect, the relay's
 * acknowledged heads, the documents with unacknowledged local changes) is its `ledger`, on the
 * same connection so that one transaction holds records and the heads they reflect. Opening it
 * takes milliseconds, so a desk answers searches at once after a restart, before any Automerge
 * document is loaded.
 */
export class ReadModel extends ReadModelQueries {
  readonly ledger: SyncLedger
  readonly #stmts: ReturnType<typeof prepare>

  private constructor(db: Database.Database) {
    super(db)
    this.#stmts = prepare(db)
    this.ledger = new SyncLedger(db)
  }

  static open(file: string): ReadModel {
    const db = new Database(file)
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = FULL")
    db.pragma("foreign_keys = OFF")
    db.exec(READ_MODEL_DDL)
    // columns and indexes a file of an older version lacks, before any statement is prepared
    addMissingColumns(db)
    db.exec(READ_MODEL_LATE_DDL)
    const rm = new ReadModel(db)
    const v = rm.getMeta("version")
    if (v === undefined) rm.setMeta("version", String(READ_MODEL_VERSION))
    else if (Number(v) >= 1 && Number(v) < READ_MODEL_VERSION) rm.transaction(() => rm.#migrate(Number(v)))
    else if (Number(v) !== READ_MODEL_VERSION) {
      db.close()
      throw new Error(`read model ${file} has version ${v}, expected ${READ_MODEL_VERSION}`)
    }
    return rm
  }

  #migrate(from: number): void {
    migrateReadModel(this.db, from, () => this.reindexAll())
    this.setMeta("version", String(READ_MODEL_VERSION))
  }

  /**
   * synchronous=FULL (the default) fsyncs every commit; a bulk load that can be taken again (the
   * relay's snapshot, one transaction per document) runs with NORMAL: in WAL mode the database
   * stays consistent and a crash loses at most the last commits. The next FULL commit syncs them all.
   */
  setDurable(full: boolean): void {
    this.db.pragma(`synchronous = ${full ? "FULL" : "NORMAL"}`)
  }

  close(): void {
    this.db.close()
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  getMeta(k: string): string | undefined {
    return (this.#stmts.getMeta.get(k) as { v: string } | undefined)?.v
  }
  setMeta(k: string, v: string): void {
    this.#stmts.setMeta.run(k, v)
  }

  upsertClient(c: Client): void {
    this.#stmts.client.run(
      c.id,
      c.name,
      c.phone,
      c.email,
      c.address,
      c.notes,
      c.createdAt,
      c.updatedAt,
      c.createdBy,
      c.updatedBy,
      b(c.deleted),
      nameKey(c.name),
      phoneKey(c.phone),
    )
  }

  upsertPatient(p: Patient): void {
    this.#stmts.patient.run(
      p.id,
      p.clientId,
      p.name,
      p.species,
      p.breed,
      p.sex,
      p.birthDate,
      p.chip,
      p.notes,
      p.createdAt,
      p.updatedAt,
      p.createdBy,
      p.updatedBy,
      b(p.deleted),
    )
  }

  /** `docKey`: the document the record was read from (see schema.ts) */
  upsertAppointment(a: Appointment, docKey: string): void {
    this.#stmts.appointment.run({
      ...a,
      doc_key: docKey,
      client_id: a.clientId,
      patient_id: a.patientId,
      created_at: a.createdAt,
      updated_at: a.updatedAt,
      created_by: a.createdBy,
      updated_by: a.updatedBy,
      deleted: b(a.deleted),
    })
  }

  /** `docKey`: the document the record was read from (see schema.ts) */
  upsertInvoice(i: Invoice, docKey: string): void {
    this.#stmts.invoice.run({
      ...i,
      doc_key: docKey,
      client_id: i.clientId,
      patient_id: i.patientId,
      issued_at: i.issuedAt,
      paid_at: i.paidAt,
      lines: JSON.stringify(i.lines),
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      created_by: i.createdBy,
      updated_by: i.updatedBy,
      deleted: b(i.deleted),
    })
  }

  /** Rebuilds the search row of one client from its record and its patients. */
  reindexClient(clientId: string): void {
    const c = this.#stmts.clientForIndex.get(clientId) as Row | undefined
    this.#stmts.deleteSearch.run(clientId)
    if (!c || c.deleted === 1) return
    const pets = this.#stmts.petsForIndex.all(clientId) as { name: string; chip: string }[]
    this.#stmts.clientKey.run(clientId)
    this.#stmts.insertSearch.run(clientId, clientId, searchBody(String(c.name), String(c.phone), String(c.email), pets))
  }

  /** Adds the search row of a client that has none yet (a new desk's bulk load), from its record and patients. */
  indexNewClient(c: Client, pets: { name: string; chip: string }[]): void {
    if (c.deleted) return
    this.#stmts.clientKey.run(c.id)
    this.#stmts.insertSearch.run(c.id, c.id, searchBody(c.name, c.phone, c.email, pets))
  }

  /** Rebuilds the whole search index (after a bulk load). */
  reindexAll(): void {
    this.db.exec("DELETE FROM client_search")
    const pets = new Map<string, { name: string; chip: string }[]>()
    // .all(), not .iterate(): better-sqlite3 allows no other statement while an iterator is open
    for (const p of this.db.prepare("SELECT client_id, name, chip FROM patients WHERE deleted = 0").all()) {
      const r = p as { client_id: string; name: string; chip: string }
      const list = pets.get(r.client_id) ?? []
      list.push(r)
      pets.set(r.client_id, list)
    }
    const insert = this.#stmts.insertSearch
    for (const c of this.db.prepare("SELECT id, name, phone, email FROM clients WHERE deleted = 0").all()) {
      const r = c as { id: string; name: string; phone: string; email: string }
      this.#stmts.clientKey.run(r.id)
      insert.run(r.id, r.id, searchBody(r.name, r.phone, r.email, pets.get(r.id) ?? []))
    }
  }

  replacePriceList(items: PriceItem[]): void {
    this.db.exec("DELETE FROM price_items")
    for (const p of items)
      this.#stmts.price.run({
        ...p,
        active: b(p.active),
        updated_at: p.updatedAt,
        name_lc: fold(`${p.code} ${p.name}`),
      })
  }

  /** The clinic's profile as the bridge last published it (null: none yet). */
  getProfile(): ClinicProfile | null {
    const text = this.getMeta("clinicProfile")
    return text ? profileFrom(JSON.parse(text) as Partial<ClinicProfile>) : null
  }
  setProfile(profile: ClinicProfile | null): void {
    if (profile) this.setMeta("clinicProfile", JSON.stringify(profile))
    else this.db.prepare("DELETE FROM meta WHERE k = 'clinicProfile'").run()
  }

  replaceRejections(list: Rejection[]): void {
    this.db.exec("DELETE FROM rejections")
    for (const r of list) this.#stmts.rejection.run(r.key, r.reason, r.at, r.recordUpdatedAt)
  }

  setConflicts(
    collection: Collection,
    id: string,
    conflicts: { field: string; kept: string; others: string[] }[],
  ): void {
    this.#stmts.deleteConflicts.run(collection, id)
    for (const c of conflicts) this.#stmts.conflict.run(collection, id, c.field, c.kept, JSON.stringify(c.others))
  }
}

const prepare = (db: Database.Database) => ({
  getMeta: db.prepare("SELECT v FROM meta WHERE k = ?"),
  setMeta: db.prepare("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"),
  // positional parameters: named ones (and the object built for them) cost twice as much per row
  client: db.prepare(`INSERT OR REPLACE INTO clients (id, name, phone, email, address, notes, created_at, updated_at,
    created_by, updated_by, deleted, name_lc, phone_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  patient: db.prepare(`INSERT OR REPLACE INTO patients (id, client_id, name, species, breed, sex, birth_date, chip,
    notes, created_at, updated_at, created_by, updated_by, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  appointment: db.prepare(`INSERT OR REPLACE INTO appointments (id, client_id, patient_id, vet, start, "end", reason,
    status, created_at, updated_at, created_by, updated_by, deleted, doc_key) VALUES (@id, @client_id, @patient_id, @vet,
    @start, @end, @reason, @status, @created_at, @updated_at, @created_by, @updated_by, @deleted, @doc_key)`),
  invoice: db.prepare(`INSERT OR REPLACE INTO invoices (id, number, client_id, patient_id, vet, issued_at, status,
    paid_at, total, lines, created_at, updated_at, created_by, updated_by, deleted, doc_key) VALUES (@id, @number,
    @client_id, @patient_id, @vet, @issued_at, @status, @paid_at, @total, @lines, @created_at, @updated_at, @created_by,
    @updated_by, @deleted, @doc_key)`),
  price: db.prepare(`INSERT OR REPLACE INTO price_items (id, code, name, kind, price, unit, active, updated_at, name_lc)
    VALUES (@id, @code, @name, @kind, @price, @unit, @active, @updated_at, @name_lc)`),
  rejection: db.prepare("INSERT OR REPLACE INTO rejections (key, reason, at, record_updated_at) VALUES (?, ?, ?, ?)"),
  deleteConflicts: db.prepare("DELETE FROM conflicts WHERE collection = ? AND id = ?"),
  conflict: db.prepare("INSERT INTO conflicts (collection, id, field, kept, others) VALUES (?, ?, ?, ?, ?)"),
  clientForIndex: db.prepare("SELECT name, phone, email, deleted FROM clients WHERE id = ?"),
  petsForIndex: db.prepare("SELECT name, chip FROM patients WHERE client_id = ? AND deleted = 0"),
  clientKey: db.prepare("INSERT OR IGNORE INTO client_keys (id) VALUES (?)"),
  deleteSearch: db.prepare("DELETE FROM client_search WHERE rowid = (SELECT n FROM client_keys WHERE id = ?)"),
  insertSearch: db.prepare(
    "INSERT INTO client_search (rowid, id, body) VALUES ((SELECT n FROM client_keys WHERE id = ?), ?, ?)",
  ),
})
