import type Database from "better-sqlite3"
import { phoneKey } from "@vetsync/shared"
import type { DuplicateCandidate, DuplicateReason } from "../api.js"
import { withPets, type HitRow } from "./hits.js"
import { nameKey, prefixEnd } from "./searchText.js"

/** What staff are about to create: a client's name and phone, and the names of the pets with it. */
export interface NewClientSketch {
  name: string
  phone?: string | undefined
  petNames?: readonly string[] | undefined
}

const MAX = 10

/**
 * Whether two names are one person's: the same words (case, ё and spaces aside), or one is the
 * other with more words after at least a surname and a first name ("Иванова Анна" and "Иванова
 * Анна Петровна"). "Иванова Анна Петровна" and "Иванова Анна Сергеевна" are two people.
 */
export const sameName = (a: string, b: string): boolean => {
  const [short, long] = [nameKey(a), nameKey(b)].sort((x, y) => x.length - y.length) as [string, string]
  if (short === long) return short !== ""
  return short.split(" ").length >= 2 && long.startsWith(`${short} `)
}

/** the names a sketched name may be stored under: itself, itself with more words, its first words (two or more) */
const nameCandidates = (db: Database.Database, key: string): HitRow[] => {
  const words = key.split(" ")
  if (words.length < 2) return []
  const shorter = words.slice(2).map((_, i) => words.slice(0, i + 2).join(" "))
  const sql = `SELECT id, name, phone FROM clients WHERE deleted = 0 AND (name_lc = ? OR (name_lc >= ? AND name_lc < ?)${shorter.length ? ` OR name_lc IN (${shorter.map(() => "?").join(",")})` : ""}) LIMIT 200`
  return db.prepare(sql).all(key, `${key} `, prefixEnd(`${key} `), ...shorter) as HitRow[]
}

/**
 * The existing clients a new one probably is: the same phone (however either was typed), or the
 * same name (see sameName) with a pet of the same name. Staff are warned before they save.
 */
export const likelyDuplicates = (db: Database.Database, sketch: NewClientSketch): DuplicateCandidate[] => {
  const reasons = new Map<string, Set<DuplicateReason>>()
  const rows = new Map<string, HitRow>()
  const add = (row: HitRow, reason: DuplicateReason): void => {
    rows.set(row.id, row)
    reasons.set(row.id, (reasons.get(row.id) ?? new Set()).add(reason))
  }
  const phone = phoneKey(sketch.phone ?? "")
  if (phone)
    for (const row of db
      .prepare("SELECT id, name, phone FROM clients WHERE phone_key = ? AND deleted = 0 ORDER BY name_lc LIMIT ?")
      .all(phone, MAX) as HitRow[])
      add(row, "phone")
  const pets = new Set((sketch.petNames ?? []).map(nameKey).filter(p => p !== ""))
  const byName = pets.size ? nameCandidates(db, nameKey(sketch.name)).filter(r => sameName(r.name, sketch.name)) : []
  for (const candidate of withPets(db, byName))
    if (candidate.patients.some(p => pets.has(nameKey(p.name)))) add(candidate, "name-and-pet")
  return withPets(db, [...rows.values()].slice(0, MAX)).map(hit => ({
    ...hit,
    reasons: [...(reasons.get(hit.id) ?? [])],
  }))
}
