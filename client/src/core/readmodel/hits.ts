import type Database from "better-sqlite3"
import type { ClientSearchHit } from "../api.js"

/** A client as a search lists it, before its patients are added. */
export interface HitRow {
  id: string
  name: string
  phone: string
}

/** The clients of a page with their live patients (one query for the page). */
export const withPets = (db: Database.Database, rows: readonly HitRow[]): ClientSearchHit[] => {
  if (rows.length === 0) return []
  const pets = db
    .prepare(
      `SELECT id, client_id, name, species, chip FROM patients WHERE deleted = 0 AND client_id IN (${rows.map(() => "?").join(",")}) ORDER BY name`,
    )
    .all(...rows.map(r => r.id)) as { id: string; client_id: string; name: string; species: string; chip: string }[]
  const byClient = new Map<string, ClientSearchHit["patients"]>()
  for (const p of pets) {
    const list = byClient.get(p.client_id) ?? []
    list.push({ id: p.id, name: p.name, species: p.species, chip: p.chip })
    byClient.set(p.client_id, list)
  }
  return rows.map(r => ({ id: r.id, name: r.name, phone: r.phone, patients: byClient.get(r.id) ?? [] }))
}
