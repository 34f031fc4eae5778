import { randomUUID } from "node:crypto"
import type { Repo } from "@automerge/automerge-repo"
import {
  contentsOf,
  noPaymentsYet,
  DEFAULT_TIME_ZONE,
  appointmentsKey,
  clientShardKey,
  invoicesKey,
  lineTotal,
  readRecord,
  recordToDoc,
  type AnyClinicDoc,
  type Appointment,
  type Client,
  type Collection,
  type DocKey,
  type Invoice,
  type Patient,
  type RecordByCollection,
  type RootDoc,
} from "@vetsync/shared"
import { openDoc } from "../../src/sync/openDoc.js"

let clock = Date.parse("2026-11-02T09:00:00.000Z")
/** Strictly increasing timestamps, so each edit is newer than the last. */
export const tick = (): string => new Date((clock += 1000)).toISOString()

const meta = (desk: string) => {
  const at = tick()
  return { id: randomUUID(), createdAt: at, updatedAt: at, createdBy: desk, updatedBy: desk, deleted: false }
}

export const makeClient = (desk = "desk-a", o: Partial<Client> = {}): Client => ({
  ...meta(desk),
  name: "Ivan Petrov",
  phone: "+7 900 123-45-67",
  email: "",
  address: "",
  notes: "",
  ...o,
})

export const makePatient = (clientId: string, desk = "desk-a", o: Partial<Patient> = {}): Patient => ({
  ...meta(desk),
  clientId,
  name: "Barsik",
  species: "cat",
  breed: "siberian",
  sex: "male",
  birthDate: "2020-05-01",
  chip: "",
  notes: "",
  ...o,
})

export const makeAppointment = (c: Client, p: Patient, desk = "desk-a", o: Partial<Appointment> = {}): Appointment => ({
  ...meta(desk),
  clientId: c.id,
  patientId: p.id,
  vet: "Dr. Sidorova",
  start: "2026-11-20T10:00:00.000Z",
  end: "2026-11-20T10:30:00.000Z",
  reason: "vaccination",
  status: "scheduled",
  ...o,
})

/** Invoice numbers are unique per clinic: a counter, not a random draw (400 random numbers
 * out of a million collided in about one run in twelve, and PostgreSQL rejected the second). */
let invoicesMade = 0

export const makeInvoice = (c: Client, p: Patient, desk = "desk-a", o: Partial<Invoice> = {}): Invoice => {
  const lines = [
    {
      id: randomUUID(),
      itemId: "item-vac",
      code: "VAC",
      name: "Vaccination",
      kind: "service" as const,
      price: 150000,
      qtyMilli: 1000,
      total: lineTotal(150000, 1000),
    },
    {
      id: randomUUID(),
      itemId: "item-food",
      code: "FOOD",
      name: "Food 1kg",
      kind: "product" as const,
      price: 80000,
      qtyMilli: 2500,
      total: lineTotal(80000, 2500),
    },
  ]
  return {
    ...meta(desk),
    number: `A-2611-${++invoicesMade}`,
    clientId: c.id,
    patientId: p.id,
    vet: "Dr. Sidorova",
    issuedAt: "2026-11-20T11:00:00.000Z",
    status: "issued",
    paidAt: "",
    lines,
    total: lines.reduce((s, l) => s + l.total, 0),
    ...noPaymentsYet(),
    ...o,
  }
}

export const keyOf = <C extends Collection>(collection: C, r: RecordByCollection[C]): DocKey => {
  switch (collection) {
    case "clients":
      return clientShardKey(r.id)
    case "patients":
      return clientShardKey((r as Patient).clientId)
    case "appointments":
      return appointmentsKey((r as Appointment).start, DEFAULT_TIME_ZONE)
    default:
      return invoicesKey((r as Invoice).issuedAt, DEFAULT_TIME_ZONE)
  }
}

/** Writes records into a clinic's documents the way a desk does (whole record, partitions listed in root). */
export const put = async <C extends Collection>(
  repo: Repo,
  clinicId: string,
  collection: C,
  r: RecordByCollection[C],
) => {
  const key = keyOf(collection, r)
  if (!key.startsWith("clients/")) {
    const root = await openDoc<RootDoc>(repo, clinicId, "root")
    if (!root.doc().partitions?.[key]) root.change(d => void (d.partitions[key] = true))
  }
  const h = await openDoc<AnyClinicDoc>(repo, clinicId, key)
  h.change(d => {
    ;(d as unknown as Record<string, Record<string, unknown>>)[collection]![r.id] = recordToDoc({ ...r })
  })
}

/** Edits fields of a record in place, as a desk edit (updatedAt moves on). */
export const edit = async <C extends Collection>(
  repo: Repo,
  clinicId: string,
  collection: C,
  r: RecordByCollection[C],
  fields: Partial<RecordByCollection[C]>,
  desk = "desk-a",
) => {
  const h = await openDoc<AnyClinicDoc>(repo, clinicId, keyOf(collection, r))
  const patch = recordToDoc({ ...fields, updatedAt: tick(), updatedBy: desk })
  h.change(d => {
    const rec = (d as unknown as Record<string, Record<string, Record<string, unknown>>>)[collection]![r.id]!
    for (const [k, v] of Object.entries(patch)) rec[k] = v
  })
}

export const readBack = async (repo: Repo, clinicId: string, collection: Collection, id: string, key: DocKey) => {
  const h = await openDoc<AnyClinicDoc>(repo, clinicId, key)
  // the bridge keeps record documents lean: read from wasm
  return readRecord(contentsOf(h.doc()), collection, id)?.record
}
