import { appendFileSync } from "node:fs"
import type { Collection } from "@vetsync/shared"
import type { DeskAnswer } from "./DeskClient.js"
import type { Ref } from "./workload/ops.js"

/** One write of one field, as the harness asked for it. */
export interface FieldWrite {
  field: string
  value: unknown
  desk: string
  /** order in which the harness saw the answers */
  seq: number
  /** acknowledged (ok:true); false: sent, but no answer came (it may have been applied) */
  certain: boolean
  /** the record's creation */
  create: boolean
  op: string
}

export interface RecordLog {
  collection: Collection
  id: string
  createdBy: string
  /** the creation was acknowledged */
  acked: boolean
  writes: FieldWrite[]
}

/** An answer worth a line in the report. */
export interface Answer {
  desk: string
  command: string
  op: string
  kind: DeskAnswer<unknown>["kind"]
  code?: string
  message: string
  at: string
}

/** A concurrent same-field edit the harness made on purpose: both values must end as a conflict. */
export interface Designated {
  collection: Collection
  id: string
  field: string
  values: [{ desk: string; value: string }, { desk: string; value: string }]
}

const READS = new Set(["status", "clients.search", "clients.get", "appointments.day", "appointments.vets", "invoices.get", "invoices.list", "pricelist.search", "conflicts.list", "rejections.list"])

const key = (collection: Collection, id: string): string => `${collection}/${id}`

/**
 * Everything the desks acknowledged, and every answer that was not an acknowledgement,
 * journalled to ops.jsonl as it happens.
 */
export class Ledger {
  readonly records = new Map<string, RecordLog>()
  readonly internals: Answer[] = []
  /** valid input refused (validation, unexpected bad_request): failures */
  readonly refusedValid: Answer[] = []
  /** a desk answered not_found for a record it had acknowledged itself ("collection/id: message") */
  readonly lost: Answer[] = []
  readonly unreachable: Answer[] = []
  readonly uncertain: Answer[] = []
  readonly designated: Designated[] = []
  /** command -> outcome (ok, not_found, unreachable ...) -> count */
  readonly counts = new Map<string, Map<string, number>>()
  readonly deleteAsked = new Set<string>()
  readonly voidAsked = new Set<string>()
  readonly #ids = new Map<Ref, string>()
  readonly #touched = new Map<string, Set<string>>()
  readonly #journal: string | undefined
  #seq = 0

  constructor(journalFile?: string) {
    this.#journal = journalFile
  }

  idOf(ref: Ref): string | undefined {
    return this.#ids.get(ref)
  }

  bind(ref: Ref, id: string): void {
    this.#ids.set(ref, id)
  }

  /** A record the desk created (certain) or may have created; `fields` are its values. */
  created(collection: Collection, id: string, desk: string, fields: Record<string, unknown>, op: string, certain = true): void {
    const k = key(collection, id)
    const log = this.records.get(k) ?? { collection, id, createdBy: desk, acked: false, writes: [] }
    log.acked ||= certain
    this.records.set(k, log)
    this.#add(log, desk, fields, op, certain, true)
  }

  /** Fields written to an existing record. */
  wrote(collection: Collection, id: string, desk: string, fields: Record<string, unknown>, op: string, certain = true): void {
    const k = key(collection, id)
    if (fields.deleted === true) this.deleteAsked.add(k)
    if (collection === "invoices" && fields.status === "void") this.voidAsked.add(k)
    const log = this.records.get(k) ?? { collection, id, createdBy: "?", acked: false, writes: [] }
    this.records.set(k, log)
    this.#add(log, desk, fields, op, certain, false)
  }

  /** The desk acknowledged something about this record (so it must never answer not_found for it). */
  touchedBy(desk: string, collection: Collection, id: string): boolean {
    return this.#touched.get(desk)?.has(key(collection, id)) ?? false
  }

  /** A field's value at the record's creation, as acknowledged (undefined when unknown). */
  createdValue(collection: Collection, id: string, field: string): unknown {
    return this.records.get(key(collection, id))?.writes.find(w => w.create && w.field === field)?.value
  }

  designate(d: Designated): void {
    this.designated.push(d)
  }

  isDesignatedRecord(collection: Collection, id: string): boolean {
    return this.designated.some(d => d.collection === collection && d.id === id)
  }

  /** Counts and journals an answer; returns it classified for the caller. */
  answer(desk: string, command: string, op: string, a: DeskAnswer<unknown>, extra: Record<string, unknown> = {}): Answer {
    const outcome = a.kind === "error" ? a.code : a.kind
    const byOutcome = this.counts.get(command) ?? new Map<string, number>()
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1)
    this.counts.set(command, byOutcome)
    const rec: Answer = {
      desk,
      command,
      op,
      kind: a.kind,
      ...(a.kind === "error" ? { code: a.code } : {}),
      message: a.kind === "ok" ? "" : a.message,
      at: new Date().toISOString(),
    }
    if (a.kind === "error" && a.code === "internal") this.internals.push(rec)
    if (a.kind === "unreachable") this.unreachable.push(rec)
    if (a.kind === "uncertain") this.uncertain.push(rec)
    // what writes answered (the ids desks chose) goes to the journal; reads would only bloat it
    const value = a.kind === "ok" && !READS.has(command) ? { value: a.value } : {}
    if (this.#journal) appendFileSync(this.#journal, `${JSON.stringify({ ...rec, ...extra, ...value })}\n`)
    return rec
  }

  #add(log: RecordLog, desk: string, fields: Record<string, unknown>, op: string, certain: boolean, create: boolean): void {
    const seq = ++this.#seq
    for (const [field, value] of Object.entries(fields)) log.writes.push({ field, value, desk, seq, certain, create, op })
    if (certain) {
      const set = this.#touched.get(desk) ?? new Set<string>()
      set.add(key(log.collection, log.id))
      this.#touched.set(desk, set)
    }
  }
}
