import type { Client, Patient } from "@vetsync/shared/schema"
import { address, clientNotes, email, personName, phone } from "./names.js"
import { chipNumber, pet } from "./pets.js"
import type { Rng } from "./prng.js"

/** Clients (owners) and patients (animals) of a generated clinic. */

export const DAY_MS = 86_400_000
const YEAR_MS = 365 * DAY_MS

export const iso = (ms: number): string => new Date(ms).toISOString()
export const isoDate = (ms: number): string => iso(ms).slice(0, 10)

/** Desks that created and edited the generated records; "import" is the initial data migration. */
export const DESKS = ["desk-1", "desk-2", "desk-3"] as const
const CREATORS = [
  ["import", 5],
  ["desk-1", 2],
  ["desk-2", 2],
  ["desk-3", 1],
] as const

/** createdAt/updatedAt/createdBy/updatedBy for a record created at `createdMs`, edited until `nowMs`. */
export const stamps = (
  rng: Rng,
  createdMs: number,
  nowMs: number,
  editChance = 0.3,
): Pick<Client, "createdAt" | "updatedAt" | "createdBy" | "updatedBy" | "deleted"> => {
  const createdBy = rng.weighted(CREATORS)
  const edited = rng.chance(editChance) && createdMs < nowMs
  const updatedMs = edited ? createdMs + Math.floor(rng.float() * (nowMs - createdMs)) : createdMs
  return {
    createdAt: iso(createdMs),
    updatedAt: iso(updatedMs),
    createdBy,
    updatedBy: edited ? rng.pick(DESKS) : createdBy,
    deleted: false,
  }
}

export const generateClients = (rng: Rng, ids: Rng, count: number, nowMs: number): Client[] => {
  const out: Client[] = new Array<Client>(count)
  for (let i = 0; i < count; i++) {
    const name = personName(rng)
    // older clients are fewer: skew creation times towards the present, up to 12 years back
    const createdMs = nowMs - Math.floor(12 * YEAR_MS * rng.float() * rng.float()) - DAY_MS
    out[i] = {
      id: ids.uuid(),
      ...stamps(rng, createdMs, nowMs),
      name: name.full,
      phone: rng.chance(0.985) ? phone(rng) : "",
      email: rng.chance(0.35) ? email(rng, name) : "",
      address: address(rng),
      notes: clientNotes(rng),
    }
  }
  return out
}

/**
 * Patients: the first `clients.length` go one to each client, so every client has an
 * animal; the rest go to random clients (some owners have several animals).
 */
export const generatePatients = (
  rng: Rng,
  ids: Rng,
  count: number,
  clients: readonly Client[],
  nowMs: number,
): Patient[] => {
  if (count > 0 && clients.length === 0) throw new Error("patients need at least one client")
  const out: Patient[] = new Array<Patient>(count)
  const chips = new Set<string>()
  for (let i = 0; i < count; i++) {
    const owner = (i < clients.length ? clients[i] : clients[rng.int(0, clients.length - 1)]) as Client
    const p = pet(rng)
    const ownerMs = Date.parse(owner.createdAt)
    const createdMs = ownerMs + Math.floor(rng.float() * (nowMs - ownerMs))
    let chip = ""
    if (rng.chance(0.4)) {
      do chip = chipNumber(rng)
      while (chips.has(chip))
      chips.add(chip)
    }
    out[i] = {
      id: ids.uuid(),
      ...stamps(rng, createdMs, nowMs),
      clientId: owner.id,
      name: p.name,
      species: p.species,
      breed: p.breed,
      sex: p.sex,
      birthDate: p.ageDays < 0 ? "" : isoDate(nowMs - p.ageDays * DAY_MS),
      chip,
      notes: p.notes,
    }
  }
  return out
}
