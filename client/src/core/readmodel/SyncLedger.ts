import type Database from "better-sqlite3"
import type { BootstrapProgress } from "../api.js"

type Row = Record<string, unknown>
type BootstrapPhase = BootstrapProgress["phase"]

/**
 * The read model file's sync bookkeeping, beside the records it describes (same SQLite
 * connection, so one transaction can hold records and the heads they reflect):
 * - doc_heads: the heads of each document that the records reflect (ReadModelUpdater);
 * - relay_heads: the heads of each document the relay last acknowledged as durable (SyncTracker);
 * - dirty_docs: documents with local changes the relay has not acknowledged, with the last count
 *   of their waiting records (SyncTracker), so a restarted desk knows what to push;
 * - its keys of the meta table: when the relay last had everything (lastSyncedAt) and the new
 *   desk's bootstrap (its phase, the heads the snapshot reflects, when the snapshot was made).
 * Its tables are created and migrated with the read model's (schema.ts, migrateReadModel.ts).
 */
export class SyncLedger {
  readonly #db: Database.Database
  readonly #stmts: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.#db = db
    this.#stmts = prepare(db)
  }

  /** Runs `fn` in one transaction (a savepoint inside the caller's): its writes reach the disk with one fsync. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)()
  }

  getDocHeads(docId: string): string[] | undefined {
    const r = this.#stmts.getHeads.get(docId) as { heads: string } | undefined
    return r ? (JSON.parse(r.heads) as string[]) : undefined
  }
  setDocHeads(docId: string, key: string, heads: string[]): void {
    this.#stmts.setHeads.run(docId, key, JSON.stringify(heads))
  }
  allDocHeads(): { docId: string; key: string; heads: string[] }[] {
    return (this.#db.prepare("SELECT doc_id, key, heads FROM doc_heads").all() as Row[]).map(r => ({
      docId: String(r.doc_id),
      key: String(r.key),
      heads: JSON.parse(String(r.heads)) as string[],
    }))
  }

  getRelayHeads(docId: string): string[] | undefined {
    const r = this.#stmts.getRelayHeads.get(docId) as { heads: string } | undefined
    return r ? (JSON.parse(r.heads) as string[]) : undefined
  }
  setRelayHeads(docId: string, heads: string[], at: string): void {
    this.#stmts.setRelayHeads.run(docId, JSON.stringify(heads), at)
  }

  markDirty(docId: string, key: string, waiting: number): void {
    this.#stmts.markDirty.run(docId, key, waiting)
  }
  clearDirty(docId: string): void {
    this.#stmts.clearDirty.run(docId)
  }
  dirtyDocs(): { docId: string; key: string; waiting: number }[] {
    return (this.#db.prepare("SELECT doc_id, key, waiting FROM dirty_docs").all() as Row[]).map(r => ({
      docId: String(r.doc_id),
      key: String(r.key),
      waiting: Number(r.waiting),
    }))
  }

  /** ISO time the relay last acknowledged everything this desk had, if it ever did. */
  lastSyncedAt(): string | undefined {
    return this.#meta("lastSyncedAt")
  }
  setLastSyncedAt(at: string): void {
    this.#setMeta("lastSyncedAt", at)
  }

  bootstrapPhase(): BootstrapPhase | undefined {
    return this.#meta("bootstrap") as BootstrapPhase | undefined
  }
  setBootstrapPhase(phase: BootstrapPhase): void {
    this.#setMeta("bootstrap", phase)
  }

  /** The heads of each document the relay's snapshot reflected (what a new desk must have locally). */
  bootstrapTargets(): Record<string, string[]> | undefined {
    const text = this.#meta("bootstrapTargets")
    return text ? (JSON.parse(text) as Record<string, string[]>) : undefined
  }
  /** Records the snapshot's targets and when the relay generated it. */
  setBootstrapTargets(targets: Record<string, string[]>, snapshotAt: string): void {
    this.#setMeta("bootstrapTargets", JSON.stringify(targets))
    this.#setMeta("snapshotAt", snapshotAt)
  }

  #meta(k: string): string | undefined {
    return (this.#stmts.getMeta.get(k) as { v: string } | undefined)?.v
  }
  #setMeta(k: string, v: string): void {
    this.#stmts.setMeta.run(k, v)
  }
}

const prepare = (db: Database.Database) => ({
  getMeta: db.prepare("SELECT v FROM meta WHERE k = ?"),
  setMeta: db.prepare("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"),
  getHeads: db.prepare("SELECT heads FROM doc_heads WHERE doc_id = ?"),
  setHeads: db.prepare(
    "INSERT INTO doc_heads (doc_id, key, heads) VALUES (?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads",
  ),
  getRelayHeads: db.prepare("SELECT heads FROM relay_heads WHERE doc_id = ?"),
  setRelayHeads: db.prepare(
    "INSERT INTO relay_heads (doc_id, heads, at) VALUES (?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads, at = excluded.at",
  ),
  markDirty: db.prepare(
    "INSERT INTO dirty_docs (doc_id, key, waiting) VALUES (?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET waiting = excluded.waiting",
  ),
  clearDirty: db.prepare("DELETE FROM dirty_docs WHERE doc_id = ?"),
})
