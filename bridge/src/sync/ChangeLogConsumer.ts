import type { Repo } from "@automerge/automerge-repo"
import {
  appointmentsKey,
  clientShardKey,
  isDocKey,
  kindOfKey,
  recordIdsOf,
  type AnyClinicDoc,
  type AppointmentsDoc,
  type AnyRecord,
  type DocKey,
  type RootDoc,
} from "@vetsync/shared"
import type pg from "pg"
import { markConsumed, pendingChanges, type ChangeRow } from "../queries/changeLog.js"
import { clinicTimeZone } from "../queries/clinicProfile.js"
import { selectRows } from "../queries/records.js"
import { recordOfRow } from "../projection/rows.js"
import { openDoc } from "./openDoc.js"
import { putRecords } from "./putRecords.js"

type Entity = ChangeRow["entity"]

/**
 * Consumes the exchange-plan change log: rows that the web system inserted, updated or
 * deleted in clients, patients and appointments are written into the documents. Rows the
 * bridge wrote itself were never registered (their transaction ran with
 * vetsync.origin = 'bridge'), and the values written here equal the rows, so projecting
 * them back writes nothing: no edit echoes. Writing the same entries twice (after a crash
 * before they were marked consumed) changes nothing either.
 *
 * An appointment already in a document stays in that document (its month partition was chosen
 * when it was created, whatever its start says now); a new one goes to the month of its start in
 * the clinic's time zone, as a desk would put it.
 */
export class ChangeLogConsumer {
  readonly #pool: pg.Pool
  readonly #repo: Repo

  constructor(pool: pg.Pool, repo: Repo) {
    this.#pool = pool
    this.#repo = repo
  }

  /**
   * Consumes every pending entry (of one clinic, when given: a bridge consumes the clinics whose
   * leases it holds, each in that clinic's turn); returns how many records changed a document.
   */
  async consume(clinicId?: string): Promise<number> {
    let written = 0
    for (;;) {
      const batch = await pendingChanges(this.#pool, 5000, clinicId)
      if (batch.length === 0) return written
      written += await this.#apply(batch)
      await markConsumed(
        this.#pool,
        batch.map(c => Number(c.id)),
      )
    }
  }

  async #apply(batch: ChangeRow[]): Promise<number> {
    const latest = new Map<string, ChangeRow>()
    for (const c of batch) latest.set(`${c.entity}/${c.entity_id}`, c)
    const byDoc = new Map<string, { clinicId: string; key: DocKey; records: AnyRecord[] }>()
    const add = (clinicId: string, key: DocKey, r: AnyRecord) => {
      const k = `${clinicId}\0${key}`
      const entry = byDoc.get(k) ?? { clinicId, key, records: [] }
      entry.records.push(r)
      byDoc.set(k, entry)
    }
    const located = new Map<string, Map<string, DocKey>>()
    for (const entity of ["clients", "patients", "appointments"] as Entity[]) {
      const changes = [...latest.values()].filter(c => c.entity === entity)
      if (changes.length === 0) continue
      const rows = new Map(
        (
          await selectRows(
            this.#pool,
            entity,
            changes.map(c => c.entity_id),
          )
        ).map(r => [String(r.id), r]),
      )
      for (const c of changes) {
        let row = rows.get(c.entity_id)
        if (!row) {
          // deleted by SQL: the documents keep the record, marked deleted
          if (!c.old_row) continue
          row = { ...c.old_row, deleted_at: new Date(), updated_at: new Date(), updated_by: "web" }
        }
        const r = this.#record(entity, row)
        add(c.clinic_id, await this.#keyOf(c.clinic_id, r, located), r)
      }
    }
    let written = 0
    for (const { clinicId, key, records } of byDoc.values()) {
      if (key.startsWith("appointments/")) await this.#ensurePartition(clinicId, key)
      const handle = await openDoc<AnyClinicDoc>(this.#repo, clinicId, key)
      handle.change(
        d => {
          written += putRecords(d, records)
        },
        { message: `web: ${records.length} records` },
      )
    }
    return written
  }

  #record(entity: Entity, row: Record<string, unknown>): AnyRecord {
    const asDate = (v: unknown) => (typeof v === "string" ? new Date(v) : v)
    const r = {
      ...row,
      created_at: asDate(row.created_at),
      updated_at: asDate(row.updated_at),
      deleted_at: asDate(row.deleted_at),
      starts_at: asDate(row.starts_at),
      ends_at: asDate(row.ends_at),
    }
    switch (entity) {
      case "clients":
        return { collection: entity, record: recordOfRow.clients(r) }
      case "patients":
        return { collection: entity, record: recordOfRow.patients(r) }
      case "appointments":
        return { collection: entity, record: recordOfRow.appointments(r) }
    }
  }

  /** The document a record goes to: its shard; for an appointment, the partition holding it, else its start's month in the clinic's zone. */
  async #keyOf(clinicId: string, r: AnyRecord, located: Map<string, Map<string, DocKey>>): Promise<DocKey> {
    if (r.collection === "clients") return clientShardKey(r.record.id)
    if (r.collection === "patients") return clientShardKey(r.record.clientId)
    if (r.collection !== "appointments") throw new Error(`${r.collection} do not come from the web system`)
    let where = located.get(clinicId)
    if (!where) located.set(clinicId, (where = await this.#appointmentDocs(clinicId)))
    return where.get(r.record.id) ?? appointmentsKey(r.record.start, await clinicTimeZone(this.#pool, clinicId))
  }

  /** Which appointment partition of the clinic holds each appointment (read from the documents). */
  async #appointmentDocs(clinicId: string): Promise<Map<string, DocKey>> {
    const out = new Map<string, DocKey>()
    const root = await openDoc<RootDoc>(this.#repo, clinicId, "root")
    for (const key of Object.keys(root.doc().partitions ?? {})) {
      if (!isDocKey(key) || kindOfKey(key) !== "appointments") continue
      const handle = await openDoc<AppointmentsDoc>(this.#repo, clinicId, key)
      // the partition may be lean (the projector keeps record documents so): its ids read from wasm
      for (const id of recordIdsOf(handle.doc(), "appointments")) out.set(id, key)
    }
    return out
  }

  async #ensurePartition(clinicId: string, key: DocKey): Promise<void> {
    const root = await openDoc<RootDoc>(this.#repo, clinicId, "root")
    if (root.doc().partitions?.[key]) return
    root.change(d => {
      if (!d.partitions) d.partitions = {}
      d.partitions[key] = true
    })
  }
}
