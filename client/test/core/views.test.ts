import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import {
  noPaymentsYet,
  APPOINTMENT_STATUSES,
  type Appointment,
  type Client,
  type Collection,
  type Invoice,
  type Patient,
} from "@vetsync/shared"
import type { ConflictView, RejectionView } from "../../src/core/api.js"
import { appointmentViews } from "../../src/core/views/appointments.js"
import { clientCard } from "../../src/core/views/clientCard.js"
import { conflictViews } from "../../src/core/views/conflicts.js"
import { invoiceView } from "../../src/core/views/invoices.js"
import { recordLabel } from "../../src/core/views/labels.js"
import type { RecordLookup } from "../../src/core/views/lookup.js"
import { rejectionReasons, rejectionViews, type StoredRejection } from "../../src/core/views/rejections.js"
import { sampleClient, samplePatient } from "./fixtures.js"

/**
 * The views the desk API answers with (core/views), from plain records: no desk, no SQLite.
 * Seeds: printed at the start; replay with VETSYNC_FC_SEED=<seed> (VETSYNC_FC_RUNS scales the runs).
 */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const SCALE = Number(process.env.VETSYNC_FC_RUNS ?? 1)
const params = (runs: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(runs * SCALE)) })

const AT = "2026-11-01T10:00:00.000Z"
const DAY = Date.parse("2026-12-01T06:00:00.000Z")
const iso = (ms: number): string => new Date(ms).toISOString()
const minute = 60_000

/** A lookup over plain records, as the read model answers it. */
const lookupOf = (records: {
  clients?: Client[]
  patients?: Patient[]
  appointments?: Appointment[]
  invoices?: Invoice[]
}): RecordLookup => {
  const by = <T extends { id: string }>(list: T[] = []) => new Map(list.map(r => [r.id, r]))
  const [clients, patients, appointments, invoices] = [
    by(records.clients),
    by(records.patients),
    by(records.appointments),
    by(records.invoices),
  ]
  return {
    getClient: id => clients.get(id),
    getPatient: id => patients.get(id),
    getAppointment: id => appointments.get(id),
    getInvoice: id => invoices.get(id),
  }
}

const appointment = (id: string, more: Partial<Appointment> = {}): Appointment => ({
  id,
  createdAt: AT,
  updatedAt: AT,
  createdBy: "desk-a",
  updatedBy: "desk-a",
  deleted: false,
  clientId: "c1",
  patientId: "p1",
  vet: "Иванов",
  start: iso(DAY),
  end: iso(DAY + 30 * minute),
  reason: "",
  status: "scheduled",
  ...more,
})

const invoice = (id: string, more: Partial<Invoice> = {}): Invoice => ({
  id,
  createdAt: AT,
  updatedAt: AT,
  createdBy: "desk-a",
  updatedBy: "desk-a",
  deleted: false,
  number: "A-2611-00001",
  clientId: "c1",
  patientId: "",
  vet: "",
  issuedAt: AT,
  status: "issued",
  paidAt: "",
  lines: [],
  total: 0,
  ...noPaymentsYet(),
  ...more,
})

const VETS = ["Иванов", "Петрова", "Сидоров"]
/** a day's appointments: three vets, starts on a five-minute grid, 5 to 120 minutes long, every status */
const day: fc.Arbitrary<Appointment[]> = fc
  .array(
    fc.record({
      vet: fc.constantFrom(...VETS),
      at: fc.integer({ min: 0, max: 120 }),
      length: fc.integer({ min: 1, max: 24 }),
      status: fc.constantFrom(...APPOINTMENT_STATUSES),
    }),
    { maxLength: 25 },
  )
  .map(list =>
    list
      .map((a, i) =>
        appointment(`a${i}`, {
          vet: a.vet,
          start: iso(DAY + a.at * 5 * minute),
          end: iso(DAY + (a.at + a.length) * 5 * minute),
          status: a.status,
        }),
      )
      // the read model's order: by start, then vet
      .sort((a, b) => (a.start === b.start ? a.vet.localeCompare(b.vet) : a.start < b.start ? -1 : 1)),
  )
const noReasons = rejectionReasons([])
const names = lookupOf({})
const live = (a: Appointment): boolean => a.status !== "cancelled" && a.status !== "no_show"
/** the overlap oracle in milliseconds (the view compares ISO strings) */
const intersect = (a: Appointment, b: Appointment): boolean =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)

describe("views: a day's appointments", () => {
  beforeAll(() => console.log(`[fc] seed ${SEED}: replay with VETSYNC_FC_SEED=${SEED}`))

  it("lists the day's appointments in the order given, of the vet asked for or all", () => {
    fc.assert(
      fc.property(day, fc.option(fc.constantFrom(...VETS, "Никто"), { nil: undefined }), (list, vet) => {
        const shown = appointmentViews(list, vet, names, noReasons)
        expect(shown.map(a => a.id)).toEqual(list.filter(a => vet === undefined || a.vet === vet).map(a => a.id))
        // every field of the record as it is
        for (const v of shown) expect(v).toMatchObject(list.find(a => a.id === v.id) as Appointment)
      }),
      params(200),
    )
  })

  it("names exactly the other live appointments of the same vet that a live one intersects, both ways", () => {
    fc.assert(
      fc.property(day, list => {
        const shown = appointmentViews(list, undefined, names, noReasons)
        const byId = new Map(shown.map(v => [v.id, v]))
        for (const v of shown) {
          const expected = live(v)
            ? list.filter(b => b.id !== v.id && live(b) && b.vet === v.vet && intersect(v, b)).map(b => b.id)
            : []
          expect(v.overlapsWith, v.id).toEqual(expected)
          for (const other of v.overlapsWith) expect(byId.get(other)?.overlapsWith).toContain(v.id)
        }
      }),
      params(200),
    )
  })

  it("shows a vet's overlaps the same whether the day is shown for that vet or for all", () => {
    fc.assert(
      fc.property(day, fc.constantFrom(...VETS), (list, vet) => {
        const all = new Map(appointmentViews(list, undefined, names, noReasons).map(v => [v.id, v.overlapsWith]))
        for (const v of appointmentViews(list, vet, names, noReasons)) expect(v.overlapsWith).toEqual(all.get(v.id))
      }),
      params(100),
    )
  })

  it("treats back-to-back appointments as not overlapping", () => {
    const first = appointment("a1", { start: iso(DAY), end: iso(DAY + 30 * minute) })
    const next = appointment("a2", { start: iso(DAY + 30 * minute), end: iso(DAY + 60 * minute) })
    expect(appointmentViews([first, next], undefined, names, noReasons).map(v => v.overlapsWith)).toEqual([[], []])
  })

  it("names the client and the patient, and the server's reason unless an edit superseded it", () => {
    const lookup = lookupOf({
      clients: [sampleClient("c1", "Соколова Анна")],
      patients: [samplePatient("p1", "c1", "Барсик")],
    })
    const refused = rejectionReasons([
      { key: "appointments/a1", reason: "vet unknown", at: AT, recordUpdatedAt: AT },
      { key: "appointments/a2", reason: "too late", at: AT, recordUpdatedAt: AT },
    ])
    const shown = appointmentViews(
      [
        appointment("a1"),
        appointment("a2", { updatedAt: "2026-11-02T00:00:00.000Z", patientId: "p-gone", clientId: "c-gone" }),
      ],
      undefined,
      lookup,
      refused,
    )
    expect(shown.map(v => [v.clientName, v.patientName, v.rejection])).toEqual([
      ["Соколова Анна", "Барсик", "vet unknown"],
      ["", "", null],
    ])
  })
})

const collections: Collection[] = ["clients", "patients", "appointments", "invoices"]
/** records of every collection, some of them edited after the time they were refused at */
const refusals = fc.array(
  fc.record({
    collection: fc.constantFrom(...collections),
    n: fc.integer({ min: 0, max: 5 }),
    /** the record's updatedAt relative to the rejection's: -1 before, 0 the same, 1 after, null: not on this desk */
    edit: fc.constantFrom(-1, 0, 1, null),
    at: fc.integer({ min: 0, max: 1000 }),
  }),
  { maxLength: 20 },
)
const stamp = (n: number): string => iso(DAY + n * minute)

describe("views: rejections", () => {
  it("keep each rejection a later edit has not superseded, in the order given, with its label", () => {
    fc.assert(
      fc.property(refusals, list => {
        // one rejection per record, as the rejections document keys them
        const unique = [...new Map(list.map(r => [`${r.collection}/${r.collection}${r.n}`, r])).entries()]
        const stored: StoredRejection[] = unique.map(([key, r]) => ({
          key,
          reason: `reason ${key}`,
          at: stamp(r.at),
          recordUpdatedAt: stamp(500),
        }))
        const records: Record<Collection, { id: string; updatedAt: string }[]> = {
          clients: [],
          patients: [],
          appointments: [],
          invoices: [],
        }
        for (const [, r] of unique)
          if (r.edit !== null)
            records[r.collection].push({ id: `${r.collection}${r.n}`, updatedAt: stamp(500 + r.edit) })
        const lookup = lookupOf({
          clients: records.clients.map(r => sampleClient(r.id, "x", { updatedAt: r.updatedAt })),
          patients: records.patients.map(r => samplePatient(r.id, "c", "x", { updatedAt: r.updatedAt })),
          appointments: records.appointments.map(r => appointment(r.id, { updatedAt: r.updatedAt })),
          invoices: records.invoices.map(r => invoice(r.id, { updatedAt: r.updatedAt })),
        })
        const views = rejectionViews(stored, lookup, (c, id) => `${c}:${id}`)
        const kept = unique.filter(([, r]) => r.edit !== 1)
        expect(views.map(v => `${v.collection}/${v.id}`)).toEqual(kept.map(([key]) => key))
        for (const v of views) {
          expect(v.label).toBe(`${v.collection}:${v.id}`)
          expect(v.reason).toBe(`reason ${v.collection}/${v.id}`)
        }
        // the reason shown beside a record agrees with the list
        const reasonOf = rejectionReasons(stored)
        for (const [key, r] of unique) {
          const updatedAt = stamp(500 + (r.edit ?? 0))
          expect(reasonOf(key, updatedAt) !== null, key).toBe(r.edit !== 1)
        }
      }),
      params(200),
    )
  })

  it("gives no reason for a record that was never refused", () => {
    expect(rejectionReasons([])("invoices/i1", AT)).toBeNull()
  })
})

describe("views: a client's card, conflicts, labels, invoices", () => {
  const conflict = (collection: Collection, id: string): ConflictView => ({
    collection,
    id,
    field: "name",
    kept: "a",
    others: ["b"],
    label: id,
  })
  const rejection = (collection: Collection, id: string, at: string): RejectionView => ({
    collection,
    id,
    reason: `refused ${id}`,
    at,
    label: id,
  })

  it("holds the conflicts of the client and its patients, and the first of their rejections", () => {
    const client = sampleClient("c1", "Соколова Анна")
    const patients = [samplePatient("p1", "c1", "Барсик"), samplePatient("p2", "c1", "Мурка")]
    const card = clientCard(
      client,
      patients,
      [conflict("clients", "c2"), conflict("patients", "p2"), conflict("clients", "c1"), conflict("invoices", "i1")],
      [rejection("clients", "c9", "3"), rejection("patients", "p1", "2"), rejection("clients", "c1", "1")],
    )
    expect(card.client).toBe(client)
    expect(card.patients).toBe(patients)
    expect(card.conflicts.map(c => c.id)).toEqual(["p2", "c1"])
    expect(card.rejection?.id).toBe("p1")
    expect(clientCard(client, [], [], [rejection("clients", "c2", "1")]).rejection).toBeNull()
  })

  it("labels conflicts as staff find the record, in the order given", () => {
    const views = conflictViews(
      [
        { collection: "clients", id: "c1", field: "phone", kept: "1", others: ["2", "3"] },
        { collection: "invoices", id: "i1", field: "status", kept: "paid", others: ["void"] },
      ],
      (c, id) => `${c}/${id}`,
    )
    expect(views).toEqual([
      { collection: "clients", id: "c1", field: "phone", kept: "1", others: ["2", "3"], label: "clients/c1" },
      { collection: "invoices", id: "i1", field: "status", kept: "paid", others: ["void"], label: "invoices/i1" },
    ])
  })

  it("labels a record by what staff know it by, in the clinic's time zone, or by its id when the desk lacks it", () => {
    const lookup = lookupOf({
      clients: [sampleClient("c1", "Соколова Анна")],
      patients: [samplePatient("p1", "c1", "Барсик"), samplePatient("p2", "c-gone", "Рекс")],
      appointments: [appointment("a1", { start: "2026-11-30T22:00:00.000Z", vet: "Петрова" })],
      invoices: [invoice("i1", { number: "A-2611-00007" })],
    })
    const label = (c: Collection, id: string, tz = "Europe/Moscow"): string => recordLabel(lookup, tz, c, id)
    expect(label("clients", "c1")).toBe("Соколова Анна")
    expect(label("patients", "p1")).toBe("Барсик (Соколова Анна)")
    expect(label("patients", "p2")).toBe("Рекс ()")
    // 22:00 UTC on the 30th is 01:00 on the 1st in Moscow, 07:00 on the 1st in Tokyo
    expect(label("appointments", "a1")).toBe("2026-12-01 01:00 Петрова")
    expect(label("appointments", "a1", "Asia/Tokyo")).toBe("2026-12-01 07:00 Петрова")
    expect(label("invoices", "i1")).toBe("A-2611-00007")
    for (const c of collections) expect(label(c, "missing")).toBe("missing")
  })

  it("shows an invoice as it is, with its client's and patient's names and the server's reason", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.nat(1_000_000), qtyMilli: fc.integer({ min: 1, max: 10_000 }) }), {
          maxLength: 5,
        }),
        fc.boolean(),
        fc.boolean(),
        (lines, withPatient, refused) => {
          const full = lines.map((l, i) => ({
            id: `l${i}`,
            itemId: `item${i}`,
            code: `S${i}`,
            name: `услуга ${i}`,
            kind: "service" as const,
            price: l.price,
            qtyMilli: l.qtyMilli,
            total: Math.round((l.price * l.qtyMilli) / 1000),
          }))
          const i = invoice("i1", {
            patientId: withPatient ? "p1" : "",
            lines: full,
            total: full.reduce((s, l) => s + l.total, 0),
          })
          const lookup = lookupOf({
            clients: [sampleClient("c1", "Соколова Анна")],
            patients: [samplePatient("p1", "c1", "Барсик")],
          })
          const reasons = rejectionReasons(
            refused ? [{ key: "invoices/i1", reason: "no such vet", at: AT, recordUpdatedAt: AT }] : [],
          )
          const view = invoiceView(i, lookup, reasons)
          expect(view).toEqual({
            ...i,
            // the status the bridge writes to PostgreSQL: a zero invoice owes nothing, so it is paid
            status: i.total === 0 ? "paid" : "issued",
            clientName: "Соколова Анна",
            patientName: withPatient ? "Барсик" : "",
            rejection: refused ? "no such vet" : null,
            state: i.total === 0 ? "paid" : "issued",
            money: { paid: 0, refunded: 0, net: 0, due: i.total, refundable: 0 },
          })
          expect(view.total).toBe(view.lines.reduce((s, l) => s + l.total, 0))
        },
      ),
      params(100),
    )
  })
})
