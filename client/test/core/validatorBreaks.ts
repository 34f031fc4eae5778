import fc from "fast-check"
import type { DeskCommand } from "../../src/core/api.js"
import { honestArgs } from "./commandArbitraries.js"
import { LATEST, type Pool } from "./honestArgs.js"

type Args = Record<string, unknown>
export interface Break {
  command: DeskCommand
  what: string
  args: Args
}

const DAY = 86_400_000
const after = Date.parse(`${LATEST}T00:00:00.000Z`) / DAY + 1

/** birth dates the shared validator refuses: in the future (past the day of slack), not a date, before 1900 */
const badBirthDate = fc.oneof(
  fc.integer({ min: after, max: after + 365 * 80 }).map(d => new Date(d * DAY).toISOString().slice(0, 10)),
  fc.constantFrom("2030-01-01", "2023-02-30", "2026-13-01", "1899-12-31", "01.05.2020", "0000-01-01"),
)

/** text that cannot be stored as given: NUL (PostgreSQL), a lone surrogate (Automerge) */
const unstorable = fc
  .tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\u0000", "\uD800", "\uDFFF"), fc.string({ maxLength: 10 }))
  .map(([a, bad, b]) => `${a}${bad}${b}`)

/**
 * Honest arguments with one value the shared validators refuse, on every path that writes the
 * value: a birth date in the future through create, update, booking and conflict resolution; text
 * that cannot be stored; a blank name; an appointment ending before it starts; a quantity of 0; a
 * status that is none; a field that staff cannot choose.
 */
export const validatorBreaks = (pool: Pool): fc.Arbitrary<Break> => {
  const h = honestArgs(pool)
  const firstPatient = (a: Args): Args[] => [{ ...((a.patients as Args[] | undefined)?.[0] ?? { name: "Рекс", species: "собака" }) }]
  return fc.oneof(
    fc.tuple(h["clients.create"], badBirthDate).map(([a, d]) => ({
      command: "clients.create" as const,
      what: `patients[0].birthDate ${d}`,
      args: { ...a, patients: firstPatient(a).map(p => ({ ...p, birthDate: d })) },
    })),
    fc.tuple(h["patients.create"], badBirthDate).map(([a, d]) => ({ command: "patients.create" as const, what: `birthDate ${d}`, args: { ...a, birthDate: d } })),
    fc.tuple(h["patients.update"], badBirthDate).map(([a, d]) => ({
      command: "patients.update" as const,
      what: `patch.birthDate ${d}`,
      args: { ...a, patch: { ...(a.patch as Args), birthDate: d } },
    })),
    fc.tuple(h["appointments.book"].filter(a => a.newPatient !== undefined), badBirthDate).map(([a, d]) => ({
      command: "appointments.book" as const,
      what: `newPatient.birthDate ${d}`,
      args: { ...a, newPatient: { ...(a.newPatient as Args), birthDate: d } },
    })),
    fc.tuple(h["conflicts.resolve"].filter(a => a.collection === "patients"), badBirthDate).map(([a, d]) => ({
      command: "conflicts.resolve" as const,
      what: `chosen birthDate ${d}`,
      args: { ...a, field: "birthDate", value: d },
    })),
    fc.tuple(h["clients.create"], unstorable).map(([a, t]) => ({ command: "clients.create" as const, what: "unstorable name", args: { ...a, name: `Ив${t}` } })),
    fc.tuple(h["patients.update"], unstorable).map(([a, t]) => ({
      command: "patients.update" as const,
      what: "unstorable notes",
      args: { ...a, patch: { notes: t } },
    })),
    fc.tuple(h["clients.update"], fc.constantFrom("", " ", "\t\n")).map(([a, blank]) => ({
      command: "clients.update" as const,
      what: "blank name",
      args: { ...a, patch: { ...(a.patch as Args), name: blank } },
    })),
    fc.tuple(h["appointments.book"], fc.integer({ min: 0, max: 600 })).map(([a, back]) => ({
      command: "appointments.book" as const,
      what: `end ${back} min before start`,
      args: { ...a, end: new Date(Date.parse(String(a.start)) - back * 60_000).toISOString() },
    })),
    fc.tuple(h["invoices.create"], fc.integer({ min: -1_000_000, max: 0 })).map(([a, q]) => ({
      command: "invoices.create" as const,
      what: `qtyMilli ${q}`,
      args: { ...a, lines: [{ itemId: "item-consult", qtyMilli: q }] },
    })),
    fc.tuple(h["conflicts.resolve"].filter(a => a.collection === "appointments"), fc.string({ maxLength: 12 })).map(([a, s]) => ({
      command: "conflicts.resolve" as const,
      what: `status ${JSON.stringify(s)}`,
      args: { ...a, field: "status", value: `x${s}` },
    })),
    fc.tuple(h["conflicts.resolve"], fc.constantFrom("deleted", "clientId", "createdBy", "id", "lines", "total", "__proto__")).map(([a, field]) => ({
      command: "conflicts.resolve" as const,
      what: `field ${field}`,
      args: { ...a, field },
    })),
  )
}
