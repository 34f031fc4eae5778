import type pg from "pg"
import type { DeskNode } from "../Cluster.js"
import { show } from "../fields.js"
import { addReadModelIds, deskState, pgState, type SourceState, type Wanted } from "./snapshot.js"

/** The ids of every record PostgreSQL holds for the clinic, as a Wanted. */
const wantedFrom = (pgs: SourceState): Wanted => {
  const w: Wanted = { clients: new Set(), patients: new Map(), appointments: new Map(), invoices: new Set() }
  for (const [key, v] of pgs.records) {
    const [collection, id = ""] = key.split("/")
    if (collection === "clients") w.clients.add(id)
    else if (collection === "patients") w.patients.set(id, String(v.clientId))
    else if (collection === "appointments") w.appointments.set(id, String(v.start))
    else if (collection === "invoices") w.invoices.add(id)
  }
  return w
}

/**
 * How a desk differs from PostgreSQL: every record of the clinic in PostgreSQL must be on the desk with
 * the same values, and the desk must hold no record PostgreSQL lacks (its read model is read for those).
 * Deleted patients are not listed by desks and are skipped. Empty: the same.
 */
export const differencesFromPostgres = async (d: DeskNode, pool: pg.Pool, clinicId: string): Promise<string[]> => {
  const pgs = await pgState(pool, clinicId)
  const wanted = wantedFrom(pgs)
  addReadModelIds(d.dataDir, wanted)
  const desk = await deskState(d, wanted, () => undefined)
  const out = [...desk.errors.map(e => `${d.name}: ${e}`)]
  for (const [key, want] of pgs.records) {
    const have = desk.records.get(key)
    if (!have) {
      if (!(key.startsWith("patients/") && want.deleted === true)) out.push(`${key} is in PostgreSQL, not on ${d.name}`)
      continue
    }
    for (const f of Object.keys(want))
      if (show(want[f]) !== show(have[f])) out.push(`${key}.${f}: PostgreSQL ${show(want[f])}, ${d.name} ${show(have[f])}`)
  }
  for (const key of desk.records.keys()) if (!pgs.records.has(key)) out.push(`${key} is on ${d.name}, not in PostgreSQL`)
  return out
}
