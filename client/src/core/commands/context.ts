import * as A from "@automerge/automerge"
import {
  clientShardKey,
  deskClockToday,
  fieldToDoc,
  isDocKey,
  kindOfKey,
  readRecord,
  recordToDoc,
  validators,
  type AnyClinicDoc,
  type Collection,
  type DateContext,
  type DocKey,
  type FieldError,
  type Invoice,
  type Payment,
  type RecordByCollection,
  type Validation,
} from "@vetsync/shared"
import { DeskError } from "../api.js"
import type { ReadModel } from "../readmodel/ReadModel.js"

/**
 * Where money taken or given back goes to be fiscalised (the desk's cash register, when it has
 * one). The payment records are written before `taken` is called; it stores the receipt and
 * returns at once, never waits for the register or the relay, and never throws.
 */
export interface ReceiptPort {
  taken(invoice: Invoice, payments: readonly Payment[]): void
}

/** What command handlers need from the desk core. */
export interface CommandContext {
  readonly rm: ReadModel
  readonly deskId: string
  readonly deskCode: string
  now(): string
  /**
   * The clinic's time zone: its profile's, else DEFAULT_TIME_ZONE until the desk has the profile.
   * Days, month partitions and invoice numbers' months are counted in it, never in UTC or the
   * machine's own zone.
   */
  timeZone(): string
  /** what "today" is for the validators (the clinic's time zone, once known); default: the desk's clock, a day of slack */
  readonly dates?: DateContext
  newId(): string
  /** Applies one change to one document, durably, and updates the read model and the sync status. */
  write<T extends AnyClinicDoc>(key: DocKey, fn: (doc: T) => void, records: { collection: Collection; id: string }[]): Promise<void>
  /** The current record as the document holds it (opening the document if needed). */
  readFromDoc<C extends Collection>(key: DocKey, collection: C, id: string): Promise<RecordByCollection[C] | undefined>
  /** the signed-in staff member's id, from the author CommandDocs writes into each change ("" when nobody is) */
  staff?(): string
  /** the desk's cash register's receipts; absent: the desk has none, payments are not fiscalised */
  readonly receipts?: ReceiptPort
}

/** What "today" is for a command: the context's, else the desk's clock (`now`) with a day of slack. */
export const datesOf = (ctx: Pick<CommandContext, "now" | "dates">): DateContext =>
  ctx.dates ?? deskClockToday(() => new Date(ctx.now()))

/**
 * A record's problems by the shared validator, each field named `path` + the record's field: a
 * record nested in a command's arguments is named by its place there ("patients[0].name",
 * "newClient.phone"), as the argument checks name theirs, so a form shows each next to its field.
 */
export const problemsOf = <C extends Collection>(
  ctx: Pick<CommandContext, "now" | "dates">,
  collection: C,
  record: RecordByCollection[C],
  path = "",
): FieldError[] => {
  const check = validators[collection] as unknown as (r: RecordByCollection[C], dates: DateContext) => Validation
  const v = check(record, datesOf(ctx))
  return v.ok ? [] : v.errors.map(e => ({ ...e, field: `${path}${e.field}` }))
}

/** Throws one validation DeskError with every problem found (of all the records of a command), if any. */
export const refuseProblems = (what: string, problems: FieldError[]): void => {
  if (problems.length > 0)
    throw new DeskError("validation", `${what} is invalid: ${problems.map(e => `${e.field} ${e.message}`).join("; ")}`, problems)
}

/** Throws a validation DeskError unless the record passes the shared validator. */
export const assertValid = <C extends Collection>(
  ctx: Pick<CommandContext, "now" | "dates">,
  collection: C,
  record: RecordByCollection[C],
  what: string,
): void => refuseProblems(what, problemsOf(ctx, collection, record))

type DocMap = Record<string, Record<string, unknown>>

/** Inserts a whole new record into its collection of a document. */
export const insertRecord = (doc: AnyClinicDoc, collection: Collection, record: Record<string, unknown>): void => {
  const map = (doc as unknown as DocMap)[collection]
  if (!map) throw new Error(`document ${doc.kind} has no ${collection}`)
  map[String(record.id)] = recordToDoc(record)
}

const TEXT_FIELDS = new Set(["notes", "reason"])

/** Writes the fields of `patch` that differ from `current` into the record's document object. */
export const patchRecord = (
  doc: AnyClinicDoc,
  collection: Collection,
  id: string,
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): void => {
  const obj = (doc as unknown as Record<string, DocMap>)[collection]?.[id]
  if (!obj) throw new Error(`${collection}/${id} is not in the document`)
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || JSON.stringify(current[field]) === JSON.stringify(value)) continue
    if (TEXT_FIELDS.has(field) && typeof value === "string" && typeof obj[field] === "string")
      A.updateText(doc, [collection, id, field], value)
    else obj[field] = fieldToDoc(field, value)
  }
}

export const notFound = (what: string, id: string): DeskError => new DeskError("not_found", `${what} ${id} not found`)

/**
 * The document an existing appointment or invoice lives in: the one the read model read it from.
 * Its partition was chosen when it was created; changes go there, never to the partition its
 * dates would pick today (the clinic's zone may have changed since, or its start moved).
 */
export const docKeyOfRecord = (ctx: Pick<CommandContext, "rm">, collection: "appointments" | "invoices", id: string): DocKey => {
  const key = (collection === "appointments" ? ctx.rm.appointments : ctx.rm.invoices).docKeyOf(id)
  if (!key || !isDocKey(key) || kindOfKey(key) !== collection) throw notFound(collection.replace(/s$/, ""), id)
  return key
}

/** The document a record of any collection lives in (a client's shard, an appointment's or invoice's month). */
export const docKeyOf = (ctx: Pick<CommandContext, "rm">, collection: Collection, id: string): DocKey => {
  switch (collection) {
    case "clients":
      return clientShardKey(id)
    case "patients": {
      const p = ctx.rm.patients.get(id)
      if (!p) throw notFound("patient", id)
      return clientShardKey(p.clientId)
    }
    case "appointments":
    case "invoices":
      return docKeyOfRecord(ctx, collection, id)
  }
}

/** Reads a record from an opened document (used by readFromDoc implementations). */
export const recordFromDoc = <C extends Collection>(
  doc: AnyClinicDoc,
  collection: C,
  id: string,
): RecordByCollection[C] | undefined => (readRecord(doc, collection, id))?.record as
  | RecordByCollection[C]
  | undefined

/** Removes keys whose value is undefined, trims strings. */
export const clean = <T extends object>(o: T): Partial<T> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = typeof v === "string" ? v.trim() : v
  return out as Partial<T>
}
