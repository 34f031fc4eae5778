import { createHash } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import {
  validateAppointment,
  validateClient,
  validateInvoice,
  validatePatient,
  validatePriceItem,
  type Validation,
} from "@vetsync/shared"
import { SEED_SCALE, generateClinic, type GeneratedClinic } from "@vetsync/test-kit/seed"

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const SMALL = { clients: 300, patients: 420, priceItems: 200, days: 5, appointmentsPerDay: 20 } as const

const digest = (value: unknown): string => createHash("sha256").update(JSON.stringify(value)).digest("hex")

/** Validates every record; returns the first few failures (an empty list when all pass). */
const failures = <T>(records: readonly T[], validate: (r: T) => Validation): unknown[] => {
  const out: unknown[] = []
  for (const r of records) {
    const v = validate(r)
    if (!v.ok && out.length < 5) out.push({ record: r, errors: v.errors })
  }
  return out
}

describe("generateClinic at seed scale", () => {
  let clinic: GeneratedClinic

  beforeAll(() => {
    clinic = generateClinic({ seed: 42 })
  })

  it("has the seed-scale counts", () => {
    expect(clinic.clients).toHaveLength(SEED_SCALE.clients)
    expect(clinic.patients).toHaveLength(SEED_SCALE.patients)
    expect(clinic.priceItems).toHaveLength(SEED_SCALE.priceItems)
    expect(clinic.vets).toHaveLength(6)
    expect(clinic.appointments).toHaveLength(30 * 60)
    const done = clinic.appointments.filter(a => a.status === "done").length
    expect(done).toBeGreaterThan(0)
    expect(clinic.invoices).toHaveLength(done)
  })

  it("generates only records that pass validation", () => {
    expect(failures(clinic.clients, validateClient)).toEqual([])
    expect(failures(clinic.patients, validatePatient)).toEqual([])
    expect(failures(clinic.appointments, validateAppointment)).toEqual([])
    expect(failures(clinic.invoices, validateInvoice)).toEqual([])
    expect(failures(clinic.priceItems, validatePriceItem)).toEqual([])
  })

  it("is deterministic: the same seed gives identical output, another seed differs", () => {
    expect(digest(generateClinic({ seed: 42 }))).toBe(digest(clinic))
    const other = generateClinic({ seed: 43, ...SMALL })
    expect(other.clients[0]?.id).not.toBe(clinic.clients[0]?.id)
  })

  it("keeps references intact", () => {
    const clients = new Map(clinic.clients.map(c => [c.id, c]))
    const patients = new Map(clinic.patients.map(p => [p.id, p]))
    const items = new Map(clinic.priceItems.map(i => [i.id, i]))
    const problems: string[] = []
    const owners = new Set<string>()
    for (const p of clinic.patients) {
      if (!clients.has(p.clientId)) problems.push(`patient ${p.id}: no client ${p.clientId}`)
      owners.add(p.clientId)
    }
    for (const a of clinic.appointments) {
      if (patients.get(a.patientId)?.clientId !== a.clientId) problems.push(`appointment ${a.id}: patient/client`)
      if (!clinic.vets.includes(a.vet)) problems.push(`appointment ${a.id}: vet ${a.vet}`)
    }
    for (const inv of clinic.invoices) {
      if (!clients.has(inv.clientId)) problems.push(`invoice ${inv.id}: no client`)
      if (inv.patientId !== "" && patients.get(inv.patientId)?.clientId !== inv.clientId)
        problems.push(`invoice ${inv.id}: patient/client`)
      for (const l of inv.lines) {
        const item = items.get(l.itemId)
        if (!item || item.code !== l.code || item.name !== l.name || item.kind !== l.kind || item.price !== l.price)
          problems.push(`invoice ${inv.id}: line ${l.id} does not match its price item`)
      }
    }
    expect(problems.slice(0, 10)).toEqual([])
    expect(owners.size).toBe(clinic.clients.length) // every client has an animal
  })

  it("uses unique v4-shaped ids, unique codes, numbers and chips", () => {
    const ids = [
      clinic.clinicId,
      ...clinic.clients.map(r => r.id),
      ...clinic.patients.map(r => r.id),
      ...clinic.appointments.map(r => r.id),
      ...clinic.invoices.flatMap(r => [r.id, ...r.lines.map(l => l.id)]),
      ...clinic.priceItems.map(r => r.id),
    ]
    expect(ids.filter(id => !UUID_V4.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(clinic.priceItems.map(i => i.code)).size).toBe(clinic.priceItems.length)
    expect(new Set(clinic.invoices.map(i => i.number)).size).toBe(clinic.invoices.length)
    const chips = clinic.patients.map(p => p.chip).filter(c => c !== "")
    expect(new Set(chips).size).toBe(chips.length)
    expect(chips.every(c => /^\d{15}$/.test(c))).toBe(true)
    expect(chips.length / clinic.patients.length).toBeGreaterThan(0.37)
    expect(chips.length / clinic.patients.length).toBeLessThan(0.43)
  })

  it("looks like a Russian clinic: ФИО, +7 phones, some e-mails, services and products in kopecks", () => {
    const fio = clinic.clients.filter(c =>
      /^[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)? [А-ЯЁ][а-яё]+( [А-ЯЁ][а-яё]+)?$/.test(c.name),
    )
    expect(fio.length).toBe(clinic.clients.length)
    expect(clinic.clients.filter(c => c.phone !== "").every(c => c.phone.startsWith("+7 "))).toBe(true)
    const emails = clinic.clients.filter(c => c.email !== "").length / clinic.clients.length
    expect(emails).toBeGreaterThan(0.2)
    expect(emails).toBeLessThan(0.5)
    const species = new Set(clinic.patients.map(p => p.species))
    expect(species).toContain("кошка")
    expect(species).toContain("собака")
    expect(clinic.priceItems.some(i => i.kind === "service")).toBe(true)
    expect(clinic.priceItems.some(i => i.kind === "product")).toBe(true)
    expect(clinic.priceItems.every(i => Number.isSafeInteger(i.price) && i.price > 0)).toBe(true)
  })

  it("books distinct slots per vet inside the day range and derives status from `now`", () => {
    const now = Date.parse(clinic.now)
    const slots = new Set(clinic.appointments.map(a => `${a.vet}|${a.start}`))
    expect(slots.size).toBe(clinic.appointments.length)
    for (const a of clinic.appointments) {
      if (a.status === "done" || a.status === "no_show") expect(Date.parse(a.end)).toBeLessThanOrEqual(now)
      if (a.status === "scheduled") expect(Date.parse(a.start)).toBeGreaterThan(now)
    }
  })
})

describe("generateClinic options", () => {
  it("gives identical small clinics for the same seed (number or string)", () => {
    expect(generateClinic({ seed: 7, ...SMALL })).toEqual(generateClinic({ seed: 7, ...SMALL }))
    expect(generateClinic({ seed: "7", ...SMALL })).toEqual(generateClinic({ seed: 7, ...SMALL }))
  })

  it("gives a prefix of the bigger clinic when asked for fewer clients", () => {
    const small = generateClinic({ seed: 5, ...SMALL })
    const bigger = generateClinic({ seed: 5, ...SMALL, clients: 600, patients: 900 })
    expect(bigger.clients.slice(0, small.clients.length)).toEqual(small.clients)
  })

  it("honours appointment, day, vet and invoice options", () => {
    const c = generateClinic({ seed: 1, ...SMALL, vets: 3, startDate: "2026-11-01", invoices: 500 })
    expect(c.vets).toHaveLength(3)
    expect(c.appointments).toHaveLength(5 * 20)
    expect(c.appointments.every(a => a.start >= "2026-11-01" && a.start < "2026-11-06")).toBe(true)
    expect(c.invoices).toHaveLength(500)
    const counter = c.invoices.filter(i => i.patientId === "")
    expect(counter.length).toBe(500 - c.appointments.filter(a => a.status === "done").length)
    expect(failures(c.invoices, validateInvoice)).toEqual([])
    expect(generateClinic({ seed: 1, ...SMALL, invoices: 3 }).invoices).toHaveLength(3)
  })

  it("handles empty clinics and rejects bad counts", () => {
    const empty = generateClinic({ seed: 1, clients: 0, patients: 0, priceItems: 0 })
    expect(empty.appointments).toEqual([])
    expect(empty.invoices).toEqual([])
    expect(() => generateClinic({ seed: 1, clients: -1 })).toThrow(/clients/)
    expect(() => generateClinic({ seed: 1, clients: 0, patients: 1 })).toThrow(/client/)
    expect(() => generateClinic({ seed: 1, now: "not a date" })).toThrow(/now/)
  })
})
