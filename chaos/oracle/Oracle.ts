import type { Collection } from "@vetsync/shared"
import { FIELDS, META_FIELDS, show, UNKNOWN_VALUE } from "../fields.js"
import type { FieldWrite, Ledger, RecordLog } from "../Ledger.js"
import { TEXT_FIELDS } from "../workload/ops.js"
import type { DeskState, PgState, Values, Wanted } from "./snapshot.js"

/** One thing wrong with the end state. */
export interface Problem {
  /** refused, not-quiet, lost, missing, divergent, unwritten, conflict-missing, internal, refused-valid, rejected, crashed, read-failed */
  kind: string
  /** "collection/id" when it is about a record */
  key?: string
  detail: string
  /** the desk and time of an answer it is about (for the log lines around it) */
  desk?: string
  at?: string
}

/** The ids to read from the desks: everything the ledger or PostgreSQL knows. */
export const wantedOf = (ledger: Ledger, pgs: PgState | undefined): Wanted => {
  const w: Wanted = { clients: new Set(), patients: new Map(), appointments: new Map(), invoices: new Set() }
  const add = (collection: Collection, id: string, v: Record<string, unknown>): void => {
    if (collection === "clients") w.clients.add(id)
    else if (collection === "invoices") w.invoices.add(id)
    else if (collection === "patients" && typeof v.clientId === "string") w.patients.set(id, v.clientId)
    else if (collection === "appointments" && typeof v.start === "string") w.appointments.set(id, v.start)
  }
  for (const log of ledger.records.values()) {
    const created = Object.fromEntries(log.writes.filter(x => x.create).map(x => [x.field, x.value]))
    add(log.collection, log.id, created)
  }
  for (const [key, v] of pgs?.records ?? []) {
    const [collection, id] = key.split("/") as [Collection, string]
    add(collection, id, v)
  }
  return w
}

/** Values a field may end with: each desk's last acknowledged write and its unanswered ones after it. */
export const candidatesOf = (writes: readonly FieldWrite[]): Set<string> => {
  const out = new Set<string>()
  const superseded = writes.some(w => w.certain && !w.create)
  const byDesk = new Map<string, FieldWrite[]>()
  for (const w of writes) byDesk.set(w.desk, [...(byDesk.get(w.desk) ?? []), w])
  for (const list of byDesk.values()) {
    const sorted = [...list].sort((a, b) => a.seq - b.seq)
    const last = sorted.filter(w => w.certain).at(-1)
    for (const w of sorted) {
      if (last && w.seq < last.seq) continue
      if (w.create && superseded) continue
      out.add(show(w.value))
    }
  }
  return out
}

const sourcesOf = (desks: readonly DeskState[], pgs: PgState): { name: string; records: Map<string, Values> }[] => [...desks, pgs]

/**
 * Compares the end state with the ledger: every acknowledged record everywhere, the same
 * everywhere, every followed value written by some acknowledged (or unanswered) command,
 * every designated concurrent edit a conflict on every desk, every desk online with 0 waiting.
 */
export const compare = (ledger: Ledger, desks: readonly DeskState[], pgs: PgState): Problem[] => {
  const problems: Problem[] = []
  for (const d of desks) {
    const st = d.status
    if (!st || st.state !== "online" || !st.online || st.waitingRecords !== 0)
      problems.push({ kind: "not-quiet", detail: `${d.name}: ${st ? `state ${st.state}, online ${st.online}, ${st.waitingRecords} waiting, error ${st.error}` : "no status"}` })
    for (const e of d.errors) problems.push({ kind: "read-failed", detail: `${d.name}: ${e}` })
  }
  const sources = sourcesOf(desks, pgs)
  const keys = new Set<string>([...ledger.records.keys()])
  for (const s of sources) for (const k of s.records.keys()) keys.add(k)
  for (const key of keys) {
    const log = ledger.records.get(key)
    const collection = key.split("/")[0] as Collection
    const held = sources.filter(s => s.records.has(key))
    const deleted = held.some(s => s.records.get(key)?.deleted === true) || ledger.deleteAsked.has(key)
    for (const s of sources) {
      if (s.records.has(key)) continue
      // a desk lists only live patients: a deleted one is not shown anywhere on it
      if (collection === "patients" && s.name !== pgs.name && held.every(h => h.records.get(key)?.deleted === true)) continue
      const why = s.name === pgs.name && pgs.rejections.get(key) ? ` (bridge rejected it: ${pgs.rejections.get(key)})` : ""
      problems.push({
        kind: log?.acked ? "missing" : "divergent",
        key,
        ...(s.name === pgs.name ? {} : { desk: s.name }),
        detail: `${log?.acked ? `acknowledged (created by ${log.createdBy})` : "unacknowledged"} ${key} is not on ${s.name}${why}; held by ${held.map(h => h.name).join(", ") || "nobody"}${deleted ? " (deleted)" : ""}`,
      })
    }
    problems.push(...divergence(key, collection, held))
    if (log) problems.push(...unwritten(log, held))
  }
  for (const d of ledger.designated) {
    const key = `${d.collection}/${d.id}`
    for (const desk of desks) {
      const c = desk.conflicts.find(x => x.collection === d.collection && x.id === d.id && x.field === d.field)
      const shown = c ? [c.kept, ...c.others] : []
      if (!d.values.every(v => shown.includes(v.value)))
        problems.push({
          kind: "conflict-missing",
          key,
          detail: `${desk.name} does not show ${key}.${d.field} as a conflict of ${d.values.map(v => `${JSON.stringify(v.value)} (${v.desk})`).join(" and ")}; it shows ${c ? JSON.stringify(shown) : "no conflict"}, value ${show(desk.records.get(key)?.[d.field])}`,
        })
    }
  }
  return problems
}

const divergence = (key: string, collection: Collection, held: { name: string; records: Map<string, Values> }[]): Problem[] => {
  const out: Problem[] = []
  for (const f of [...FIELDS[collection], ...META_FIELDS]) {
    const values = held.map(h => `${h.name}=${show(h.records.get(key)?.[f])}`)
    if (new Set(held.map(h => show(h.records.get(key)?.[f]))).size > 1) out.push({ kind: "divergent", key, detail: `${key}.${f}: ${values.join(" | ")}` })
  }
  return out
}

const unwritten = (log: RecordLog, held: { name: string; records: Map<string, Values> }[]): Problem[] => {
  const out: Problem[] = []
  const key = `${log.collection}/${log.id}`
  for (const f of FIELDS[log.collection]) {
    if (TEXT_FIELDS.has(f)) continue
    const writes = log.writes.filter(w => w.field === f)
    if (!writes.length) continue
    const ok = candidatesOf(writes)
    if (ok.has(UNKNOWN_VALUE)) continue
    for (const h of held) {
      const v = show(h.records.get(key)?.[f])
      if (!ok.has(v))
        out.push({
          kind: "unwritten",
          key,
          detail: `${key}.${f} on ${h.name} is ${v}, which no acknowledged write left as last: writes ${writes.map(w => `${w.desk}#${w.seq}${w.certain ? "" : "?"}=${show(w.value)}`).join(", ")}`,
        })
    }
  }
  return out
}
