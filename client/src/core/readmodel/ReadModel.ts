import Database from "better-sqlite3"
import {
  invoiceState,
  phoneKey,
  profileFrom,
  type Appointment,
  type Client,
  type ClinicProfile,
  type StaffMember,
  type Collection,
  type Invoice,
  type Patient,
  type PriceItem,
  type Rejection,
  type SnapshotHeader,
} from "@vetsync/shared"
import type { RecordLookup } from "../views/lookup.js"
import { AppointmentQueries } from "./AppointmentQueries.js"
import { ClientQueries } from "./ClientQueries.js"
import { InvoiceQueries } from "./InvoiceQueries.js"
import { addMissingColumns, migrateReadModel } from "./migrateReadModel.js"
import { adoptImage } from "./readModelImage.js"
import { PatientQueries } from "./PatientQueries.js"
import { PriceListQueries } from "./PriceListQueries.js"
import { RejectionsAndConflicts } from "./RejectionsAndConflicts.js"
import { s, type Row } from "./rows.js"
import {
  BULK_LOAD_KEPT_INDEXES,
  READ_MODEL_DDL,
  READ_MODEL_INDEX_DDL,
  READ_MODEL_INDEXES,
  READ_MODEL_LATE_DDL,
  READ_MODEL_VERSION,
} from "./schema.js"
import { SearchIndex } from "./SearchIndex.js"
import { fold, nameKey } from "./searchText.js"
import { Statements } from "./Statements.js"
import { SyncLedger } from "./SyncLedger.js"

const b = (v: boolean): number => (v ? 1 : 0)

/**
 * The desk's materialized read model in SQLite (WAL, synchronous=FULL). It owns the connection,
 * the schema and its migration, and the write path: records, the price list, the rejections, the
 * conflicts and the profile, written in the caller's transaction together with the search index
 * (`searchIndex`) and the sync bookkeeping (`ledger`: the document heads the records reflect, the
 * relay's acknowledged heads, the documents with unacknowledged local changes), all on this one
 * connection so that one transaction holds records and the heads they reflect.
 *
 * Reading is done by the query families it composes, one per kind of record staff look up
 * (`clients`, `patients`, `appointments`, `invoices`, `priceList`, `rejectionsAndConflicts`), on
 * a shared statement cache; `records` is the by-id lookup the views take. Opening it takes
 * milliseconds, so a desk answers searches at once after a restart, before any Automerge document
 * is loaded.
 */
export class ReadModel {
  readonly ledger: SyncLedger
  readonly searchIndex: SearchIndex
  readonly clients: ClientQueries
  readonly patients: PatientQueries
  readonly appointments: AppointmentQueries
  readonly invoices: InvoiceQueries
  readonly priceList: PriceListQueries
  readonly rejectionsAndConflicts: RejectionsAndConflicts
  /** a record of any collection by id (what the views look records up with) */
  readonly records: RecordLookup
  readonly #db: Database.Database
  readonly #statements: Statements
  readonly #stmts: ReturnType<typeof prepare>

  private constructor(db: Database.Database) {
    this.#db = db
    this.#stmts = prepare(db)
    const statements = new Statements(db)
    this.#statements = statements
    this.ledger = new SyncLedger(db)
    this.searchIndex = new SearchIndex(db)
    this.clients = new ClientQueries(db, statements)
    this.patients = new PatientQueries(statements)
    this.appointments = new AppointmentQueries(statements)
    this.invoices = new InvoiceQueries(statements)
    this.priceList = new PriceListQueries(statements)
    this.rejectionsAndConflicts = new RejectionsAndConflicts(statements)
    this.records = {
      getClient: id => this.clients.get(id),
      getPatient: id => this.patients.get(id),
      getAppointment: id => this.appointments.get(id),
      getInvoice: id => this.invoices.get(id),
    }
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
    // a bulk load stopped half-way left the search index's merging off
    if (rm.searchIndex.mergingOff()) rm.searchIndex.setMerging(true)
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
    migrateReadModel(this.#db, from, () => this.searchIndex.reindexAll())
    this.setMeta("version", String(READ_MODEL_VERSION))
  }

  /**
   * synchronous=FULL (the default) fsyncs every commit; a bulk load that can be taken again (the
   * relay's snapshot, one transaction per document) runs with NORMAL: in WAL mode the database
   * stays consistent and a crash loses at most the last commits. The next FULL commit syncs them all.
   */
  setDurable(full: boolean): void {
    this.#db.pragma(`synchronous = ${full ? "FULL" : "NORMAL"}`)
  }

  /**
   * A fresh desk's bulk load (the relay's snapshot into an empty read model): the secondary indexes
   * search does not need (BULK_LOAD_KEPT_INDEXES) are dropped, so a row costs fewer B-tree inserts at
   * random places, and built once by restoreIndexes() at its end; the search index does not merge
   * its segments meanwhile (SearchIndex.setMerging).
   * ReadModel.open builds any index that is missing, so a desk stopped half-way gets them back.
   */
  dropIndexes(): void {
    for (const name of READ_MODEL_INDEXES)
      if (!BULK_LOAD_KEPT_INDEXES.includes(name)) this.#db.exec(`DROP INDEX IF EXISTS ${name}`)
    this.searchIndex.setMerging(false)
  }

  /** Builds the secondary indexes dropIndexes() dropped (none missing: nothing to do). */
  restoreIndexes(): void {
    for (const ddl of READ_MODEL_INDEX_DDL) this.#db.exec(ddl)
    if (this.searchIndex.mergingOff()) this.searchIndex.setMerging(true)
  }

  close(): void {
    this.#db.close()
  }

  /**
   * WAL checkpoints wait until resumeCheckpoints(): a bulk write's pages (a read-model image taken,
   * some 80 MB at seed scale) are copied from the WAL into the database later, off a new desk's way
   * to searchable (it took 0.3-0.5 s). The WAL holds them meanwhile; readers see them as usual.
   */
  pauseCheckpoints(): void {
    this.#db.pragma("wal_autocheckpoint = 0")
  }

  /** Checkpoints as SQLite's default (every 1000 pages), starting with one now (PASSIVE: it waits for nobody). */
  resumeCheckpoints(): void {
    this.#db.pragma("wal_autocheckpoint = 1000")
    this.#db.pragma("wal_checkpoint(PASSIVE)")
  }

  /** the database file */
  get file(): string {
    return this.#db.name
  }

  /**
   * Takes a read-model image (readModelImage.ts) whole into this read model, which holds no records:
   * its records and search index, and the server-owned lists whose documents this desk has not read
   * itself. Returns the snapshot header the image reflects; refuses (throws, nothing changed) an
   * image of another version, clinic or shape.
   */
  adoptImage(file: string, clinicId: string): SnapshotHeader {
    const c = this.counts()
    if (c.clients + c.patients + c.appointments + c.invoices > 0) throw new Error("the read model has records already")
    return adoptImage(this.#db.name, file, clinicId, (key, header) => {
      const id = header.docs[key]?.docId
      return id !== undefined && this.ledger.getDocHeads(id) === undefined
    })
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)()
  }

  getMeta(k: string): string | undefined {
    return (this.#stmts.getMeta.get(k) as { v: string } | undefined)?.v
  }
  setMeta(k: string, v: string): void {
    this.#stmts.setMeta.run(k, v)
  }

  /** `nameLc`: nameKey(c.name) when the caller has it already (the relay's search body starts with it) */
  upsertClient(c: Client, nameLc: string = nameKey(c.name)): void {
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
      nameLc,
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
      state: invoiceState(i),
      payments: JSON.stringify(i.payments),
      voided: JSON.stringify({ reason: i.voidReason, at: i.voidedAt, by: i.voidedBy, staff: i.voidedStaff }),
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      created_by: i.createdBy,
      updated_by: i.updatedBy,
      deleted: b(i.deleted),
    })
  }

  replacePriceList(items: PriceItem[]): void {
    this.#db.exec("DELETE FROM price_items")
    for (const p of items)
      this.#stmts.price.run({
        ...p,
        active: b(p.active),
        updated_at: p.updatedAt,
        name_lc: fold(`${p.code} ${p.name}`),
        vat: p.vat ?? "none",
      })
  }

  /** The clinic's profile as the bridge last published it (null: none yet). */
  getProfile(): ClinicProfile | null {
    const text = this.getMeta("clinicProfile")
    return text ? profileFrom(JSON.parse(text) as Partial<ClinicProfile>) : null
  }
  setProfile(profile: ClinicProfile | null): void {
    if (profile) this.setMeta("clinicProfile", JSON.stringify(profile))
    else this.#db.prepare("DELETE FROM meta WHERE k = 'clinicProfile'").run()
  }

  /** The clinic's staff as the bridge last published them, PIN hashes included (null: none yet). Never shown as is. */
  getStaff(): StaffMember[] | null {
    const text = this.getMeta("clinicStaff")
    return text ? (JSON.parse(text) as StaffMember[]) : null
  }
  setStaff(staff: StaffMember[] | null): void {
    if (staff) this.setMeta("clinicStaff", JSON.stringify(staff))
    else this.#db.prepare("DELETE FROM meta WHERE k = 'clinicStaff'").run()
  }

  replaceRejections(list: Rejection[]): void {
    this.#db.exec("DELETE FROM rejections")
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

  /** updatedAt of a record in the read model, if it has it (a snapshot writes only what is newer) */
  updatedAtOf(collection: Collection, id: string): string | undefined {
    const r = this.#statements.of(`SELECT updated_at FROM ${collection} WHERE id = ?`).get(id) as Row | undefined
    return r ? s(r.updated_at) : undefined
  }
  /** how many records of each collection the read model holds, deleted ones included */
  counts(): Record<Collection, number> {
    const n = (t: string): number => Number((this.#statements.of(`SELECT count(*) AS n FROM ${t}`).get() as Row).n)
    return { clients: n("clients"), patients: n("patients"), appointments: n("appointments"), invoices: n("invoices") }
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
    paid_at, total, lines, created_at, updated_at, created_by, updated_by, deleted, doc_key, state, payments, voided)
    VALUES (@id, @number, @client_id, @patient_id, @vet, @issued_at, @status, @paid_at, @total, @lines, @created_at,
    @updated_at, @created_by, @updated_by, @deleted, @doc_key, @state, @payments, @voided)`),
  price:
    db.prepare(`INSERT OR REPLACE INTO price_items (id, code, name, kind, price, unit, active, updated_at, name_lc, vat)
    VALUES (@id, @code, @name, @kind, @price, @unit, @active, @updated_at, @name_lc, @vat)`),
  rejection: db.prepare("INSERT OR REPLACE INTO rejections (key, reason, at, record_updated_at) VALUES (?, ?, ?, ?)"),
  deleteConflicts: db.prepare("DELETE FROM conflicts WHERE collection = ? AND id = ?"),
  conflict: db.prepare("INSERT INTO conflicts (collection, id, field, kept, others) VALUES (?, ?, ?, ?, ?)"),
})
