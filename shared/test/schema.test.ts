import * as A from "@automerge/automerge"
import { describe, expect, it } from "vitest"
import {
  noPaymentsYet,
  CLIENT_SHARDS,
  ValidationError,
  appointmentFromDoc,
  docIdFor,
  genesisBinary,
  genesisDoc,
  kindOfKey,
  lineTotal,
  parseRecordKey,
  parseRubles,
  recordKey,
  recordToDoc,
  shardOf,
  validateAppointment,
  validateClient,
  validateInvoice,
  validatePatient,
  validatePriceItem,
  type Appointment,
  type AppointmentDoc,
  type AppointmentsDoc,
  type Client,
  type FieldError,
  type Invoice,
  type Patient,
  type PriceItem,
  type Validation,
} from "@vetsync/shared"

const CLINIC = "7b0c1f7e-3c55-4a57-9d0e-8a6f0e0c2b11"
const META = {
  createdAt: "2026-11-20T09:00:00.000Z",
  updatedAt: "2026-11-20T09:05:00.000Z",
  createdBy: "desk-1",
  updatedBy: "desk-1",
  deleted: false,
}
const client: Client = {
  id: "0b7e6a52-9f3e-4c41-8d2a-5b1f0c9e7a10",
  ...META,
  name: "Иванова Анна Сергеевна",
  phone: "+7 916 123-45-67",
  email: "anna.ivanova@mail.ru",
  address: "г. Москва, ул. Ленина, д. 1, кв. 2",
  notes: "",
}
const patient: Patient = {
  id: "1c8f7b63-0a4f-4d52-9e3b-6c2a1d0f8b21",
  ...META,
  clientId: client.id,
  name: "Барсик",
  species: "кошка",
  breed: "британская короткошёрстная",
  sex: "male",
  birthDate: "2020-05-01",
  chip: "643094100123456",
  notes: "",
}
const appointment: Appointment = {
  id: "2d9a8c74-1b5a-4e63-8f4c-7d3b2e1a9c32",
  ...META,
  clientId: client.id,
  patientId: patient.id,
  vet: "Смирнова Анна Сергеевна",
  start: "2026-11-20T10:00:00.000Z",
  end: "2026-11-20T10:30:00.000Z",
  reason: "Вакцинация",
  status: "scheduled",
}
const line = (price: number, qtyMilli: number, total = lineTotal(price, qtyMilli)): Invoice["lines"][number] => ({
  id: "3eab9d85-2c6b-4f74-9a5d-8e4c3f2b0d43",
  itemId: "4fbcae96-3d7c-4a85-8b6e-9f5d4a3c1e54",
  code: "S0001",
  name: "Первичный приём терапевта",
  kind: "service",
  price,
  qtyMilli,
  total,
})
const invoice = (lines = [line(150000, 1000), line(2850, 1500)]): Invoice => ({
  id: "5acdbfa7-4e8d-4b96-8c7f-0a6e5b4d2f65",
  ...META,
  number: "R1-2611-0001",
  clientId: client.id,
  patientId: patient.id,
  vet: "Смирнова Анна Сергеевна",
  issuedAt: "2026-11-20T10:40:00.000Z",
  status: "paid",
  paidAt: "2026-11-20T10:41:00.000Z",
  lines,
  total: lines.reduce((s, l) => s + l.total, 0),
  ...noPaymentsYet(),
})
const priceItem: PriceItem = {
  id: "6bdec0b8-5f9e-4ca7-9d80-1b7f6c5e3a76",
  code: "M0001",
  name: "Синулокс 50 мг",
  kind: "product",
  price: 3800,
  unit: "таб.",
  active: true,
  updatedAt: "2026-11-01T00:00:00.000Z",
}

const errorsOf = (v: Validation): Pick<FieldError, "field" | "code">[] =>
  v.ok ? [] : v.errors.map(({ field, code }) => ({ field, code }))

describe("validators", () => {
  it("accept good records", () => {
    expect(validateClient(client)).toEqual({ ok: true })
    expect(validatePatient(patient)).toEqual({ ok: true })
    expect(validatePatient({ ...patient, chip: "", birthDate: "", breed: "" })).toEqual({ ok: true })
    expect(validateClient({ ...client, phone: "", email: "" })).toEqual({ ok: true })
    expect(validateAppointment(appointment)).toEqual({ ok: true })
    expect(validateInvoice(invoice())).toEqual({ ok: true })
    expect(validateInvoice({ ...invoice(), patientId: "", vet: "", paidAt: "", status: "issued" })).toEqual({
      ok: true,
    })
    expect(validatePriceItem(priceItem)).toEqual({ ok: true })
  })

  it("reject a missing or blank name", () => {
    expect(errorsOf(validateClient({ ...client, name: "" }))).toEqual([{ field: "name", code: "required" }])
    expect(errorsOf(validateClient({ ...client, name: "   " }))).toEqual([{ field: "name", code: "required" }])
    expect(errorsOf(validatePatient({ ...patient, name: "" }))).toEqual([{ field: "name", code: "required" }])
  })

  it("reject a bad phone, e-mail, chip, date, sex and id", () => {
    expect(errorsOf(validateClient({ ...client, phone: "позвонить вечером" }))).toEqual([
      { field: "phone", code: "invalid_phone" },
    ])
    expect(errorsOf(validateClient({ ...client, email: "anna@" }))).toEqual([{ field: "email", code: "invalid_email" }])
    expect(errorsOf(validatePatient({ ...patient, chip: "64-30" }))).toEqual([{ field: "chip", code: "invalid_chip" }])
    expect(errorsOf(validatePatient({ ...patient, birthDate: "01.05.2020" }))).toEqual([
      { field: "birthDate", code: "invalid_date" },
    ])
    expect(errorsOf(validatePatient({ ...patient, sex: "cat" as Patient["sex"] }))).toEqual([
      { field: "sex", code: "invalid" },
    ])
    expect(errorsOf(validateClient({ ...client, id: "42" }))).toEqual([{ field: "id", code: "invalid" }])
  })

  it("reject an appointment that ends before (or when) it starts", () => {
    const before = { ...appointment, end: "2026-11-20T09:30:00.000Z" }
    expect(errorsOf(validateAppointment(before))).toEqual([{ field: "end", code: "end_before_start" }])
    expect(errorsOf(validateAppointment({ ...appointment, end: appointment.start }))).toEqual([
      { field: "end", code: "end_before_start" },
    ])
  })

  it("reject a negative quantity", () => {
    const errors = errorsOf(validateInvoice(invoice([line(150000, -1000)])))
    expect(errors).toContainEqual({ field: "lines[0].qtyMilli", code: "negative" })
    expect(errorsOf(validateInvoice(invoice([line(150000, 0)])))).toContainEqual({
      field: "lines[0].qtyMilli",
      code: "negative",
    })
  })

  it("reject totals that do not add up", () => {
    expect(errorsOf(validateInvoice(invoice([line(150000, 1000, 149999)])))).toEqual([
      { field: "lines[0].total", code: "total_mismatch" },
    ])
    expect(errorsOf(validateInvoice({ ...invoice(), total: 1 }))).toEqual([{ field: "total", code: "total_mismatch" }])
    expect(errorsOf(validateInvoice(invoice([])))).toEqual([{ field: "lines", code: "required" }])
  })

  it("reject a price item with a fractional price or no code", () => {
    expect(errorsOf(validatePriceItem({ ...priceItem, price: 38.5 }))).toEqual([{ field: "price", code: "type" }])
    expect(errorsOf(validatePriceItem({ ...priceItem, code: "" }))).toEqual([{ field: "code", code: "required" }])
  })

  it("ValidationError lists the fields", () => {
    const v = validateClient({ ...client, name: "", phone: "x" })
    expect(v.ok).toBe(false)
    const e = new ValidationError("client", v.ok ? [] : v.errors)
    expect(e.message).toMatch(/name: is required/)
    expect(e.message).toMatch(/phone: must be a phone number/)
    expect(e.errors).toHaveLength(2)
  })
})

describe("money", () => {
  it("lineTotal multiplies kopecks by thousandths and rounds", () => {
    expect(lineTotal(150000, 1000)).toBe(150000)
    expect(lineTotal(2850, 1500)).toBe(4275)
    expect(lineTotal(12345, 1500)).toBe(18518) // 18517.5 rounds up
    expect(lineTotal(100, 333)).toBe(33)
    expect(lineTotal(0, 5000)).toBe(0)
  })

  it("parseRubles reads ruble amounts into kopecks", () => {
    expect(parseRubles("12,50")).toBe(1250)
    expect(parseRubles("12.5")).toBe(1250)
    expect(parseRubles("12")).toBe(1200)
    expect(parseRubles(" 1 234,05 ")).toBe(123405)
    expect(parseRubles("0,01")).toBe(1)
    for (const bad of ["", "abc", "-5", "1.234", "1,2,3", "12 руб."]) expect(parseRubles(bad)).toBeUndefined()
  })
})

describe("document layout", () => {
  it("shardOf is stable and in range", () => {
    expect(shardOf(client.id)).toBe(shardOf(client.id))
    const shards = new Set<number>()
    for (let i = 0; i < 2000; i++) {
      const s = shardOf(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)
      expect(Number.isInteger(s) && s >= 0 && s < CLIENT_SHARDS).toBe(true)
      shards.add(s)
    }
    expect(shards.size).toBe(CLIENT_SHARDS) // 2000 ids reach every shard
  })

  it("docIdFor is deterministic and differs per clinic and per key", () => {
    const id = docIdFor(CLINIC, "appointments/2026-11")
    expect(docIdFor(CLINIC, "appointments/2026-11")).toBe(id)
    expect(docIdFor("another-clinic", "appointments/2026-11")).not.toBe(id)
    expect(docIdFor(CLINIC, "appointments/2026-12")).not.toBe(id)
    expect(docIdFor(CLINIC, "invoices/2026-11")).not.toBe(id)
  })

  it("kindOfKey recognises document keys and nothing else", () => {
    expect(kindOfKey("root")).toBe("root")
    expect(kindOfKey("pricelist")).toBe("pricelist")
    expect(kindOfKey("rejections")).toBe("rejections")
    expect(kindOfKey("clients/0")).toBe("clients")
    expect(kindOfKey(`clients/${CLIENT_SHARDS - 1}`)).toBe("clients")
    expect(kindOfKey("appointments/2026-11")).toBe("appointments")
    expect(kindOfKey("invoices/2026-01")).toBe("invoices")
    for (const bad of [
      `clients/${CLIENT_SHARDS}`,
      "clients/x",
      "appointments/2026-13",
      "invoices/26-01",
      "patients/1",
      "",
    ])
      expect(kindOfKey(bad)).toBeUndefined()
  })

  it("record keys round-trip", () => {
    expect(parseRecordKey(recordKey("patients", patient.id))).toEqual({ collection: "patients", id: patient.id })
    expect(parseRecordKey("pets/1")).toBeUndefined()
    expect(parseRecordKey("clients/")).toBeUndefined()
  })
})

describe("genesis documents", () => {
  const KEY = "appointments/2026-11" as const

  it("are byte-identical wherever they are made", () => {
    expect(A.save(genesisDoc(CLINIC, KEY))).toEqual(A.save(genesisDoc(CLINIC, KEY)))
    expect(genesisBinary(CLINIC, KEY)).toEqual(genesisBinary(CLINIC, KEY))
    expect(genesisBinary(CLINIC, KEY)).not.toEqual(genesisBinary("another-clinic", KEY))
    expect(() => genesisDoc(CLINIC, "nonsense" as never)).toThrow(/not a document key/)
  })

  it("let two desks create the same partition offline and merge both records", () => {
    const deskA = A.clone(genesisDoc<AppointmentsDoc>(CLINIC, KEY), { actor: "aa".repeat(16) })
    const deskB = A.clone(genesisDoc<AppointmentsDoc>(CLINIC, KEY), { actor: "bb".repeat(16) })
    const second = { ...appointment, id: "7cefd1c9-6a0f-4db8-8e91-2c8a7d6f4b87", vet: "Орлов Максим Викторович" }
    const a = A.change(deskA, d => {
      d.appointments[appointment.id] = recordToDoc({ ...appointment }) as unknown as AppointmentDoc
    })
    const b = A.change(deskB, d => {
      d.appointments[second.id] = recordToDoc({ ...second }) as unknown as AppointmentDoc
    })
    const merged = A.merge(A.clone(a), b)
    expect(Object.keys(merged.appointments).sort()).toEqual([appointment.id, second.id].sort())
    const readBack = (id: string): Appointment => appointmentFromDoc(merged.appointments[id] as AppointmentDoc)
    expect(readBack(appointment.id)).toEqual(appointment)
    expect(readBack(second.id)).toEqual(second)
    // and the other way round: the same document
    expect(Object.keys(A.merge(A.clone(b), a).appointments).sort()).toEqual(Object.keys(merged.appointments).sort())
  })

  it("(contrast) without the shared genesis, independently created maps conflict and one record is lost", () => {
    const deskA = A.from<{ appointments: Record<string, string> }>({ appointments: {} }, { actor: "aa".repeat(16) })
    const deskB = A.from<{ appointments: Record<string, string> }>({ appointments: {} }, { actor: "bb".repeat(16) })
    const a = A.change(deskA, d => {
      d.appointments.x = "from A"
    })
    const b = A.change(deskB, d => {
      d.appointments.y = "from B"
    })
    expect(Object.keys(A.merge(A.clone(a), b).appointments)).toHaveLength(1)
  })
})
