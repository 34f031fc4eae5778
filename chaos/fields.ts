import type { Collection } from "@vetsync/shared"

/** The fields the oracle follows (written by commands) per collection. */
export const FIELDS: Record<Collection, readonly string[]> = {
  clients: ["name", "phone", "email", "address", "notes", "deleted"],
  patients: ["clientId", "name", "species", "breed", "sex", "birthDate", "chip", "notes", "deleted"],
  appointments: ["clientId", "patientId", "vet", "start", "end", "reason", "status", "deleted"],
  invoices: ["number", "clientId", "patientId", "vet", "issuedAt", "status", "paidAt", "total", "lines", "deleted"],
}

/** Fields compared between desks and PostgreSQL besides FIELDS. */
export const META_FIELDS = ["createdAt", "updatedAt", "createdBy", "updatedBy"] as const

/** The followed fields of a record as a desk answered it. */
export const domainFields = (collection: Collection, record: object): Record<string, unknown> => {
  const r = record as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const f of FIELDS[collection]) if (f in r) out[f] = r[f]
  return out
}

/** A value as text for comparison and reports (lines and other objects as JSON). */
export const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "undefined")

/** The value of a write whose answer never came and whose value the desk chooses (paidAt: its clock). */
export const UNKNOWN_VALUE = "\u0000(value chosen by the desk, answer lost)"
