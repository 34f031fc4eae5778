import { describe, expect, it } from "vitest"
import {
  clinicToday,
  deskClockToday,
  isCalendarDate,
  latestDate,
  storable,
  validateClient,
  validatePatient,
  type Client,
  type Patient,
} from "@vetsync/shared"

const META = {
  createdAt: "2026-11-20T09:00:00.000Z",
  updatedAt: "2026-11-20T09:00:00.000Z",
  createdBy: "desk-1",
  updatedBy: "desk-1",
  deleted: false,
}
const patient: Patient = {
  ...META,
  id: "5d1c6a4e-2f0a-4a57-9d0e-8a6f0e0c2b11",
  clientId: "8a3f0c1d-1e2b-4c3d-8e4f-5a6b7c8d9e0f",
  name: "Рекс",
  species: "собака",
  breed: "",
  sex: "male",
  birthDate: "2020-05-01",
  chip: "",
  notes: "",
}
const client: Client = { ...META, id: "8a3f0c1d-1e2b-4c3d-8e4f-5a6b7c8d9e0f", name: "Иванов", phone: "", email: "", address: "", notes: "" }

const at = (iso: string) => () => new Date(iso)
const codes = (p: Patient, ctx = deskClockToday(at("2026-06-15T12:00:00.000Z"))): string[] => {
  const v = validatePatient(p, ctx)
  return v.ok ? [] : v.errors.map(e => `${e.field}:${e.code}`)
}

describe("birth dates", () => {
  it("are refused in the future, with a day of slack on the desk's clock", () => {
    expect(codes({ ...patient, birthDate: "2026-06-15" })).toEqual([])
    // a clinic east of UTC is already on the 16th
    expect(codes({ ...patient, birthDate: "2026-06-16" })).toEqual([])
    expect(codes({ ...patient, birthDate: "2026-06-17" })).toEqual(["birthDate:in_future"])
    expect(codes({ ...patient, birthDate: "2030-01-01" })).toEqual(["birthDate:in_future"])
    // the default is the machine's clock: 2030 stays in the future for a while
    expect(validatePatient({ ...patient, birthDate: "2030-01-01" }).ok).toBe(false)
    expect(validatePatient({ ...patient, birthDate: "" }).ok).toBe(true)
  })

  it("follow the clinic's time zone exactly once it is plugged in", () => {
    // 2026-06-15 22:30 UTC: already the 16th in Moscow (UTC+3) and Vladivostok (UTC+10), still the 15th in New York
    const now = at("2026-06-15T22:30:00.000Z")
    expect(clinicToday("Europe/Moscow", now).today()).toBe("2026-06-16")
    expect(clinicToday("Asia/Vladivostok", now).today()).toBe("2026-06-16")
    expect(clinicToday("America/New_York", now).today()).toBe("2026-06-15")
    expect(codes({ ...patient, birthDate: "2026-06-16" }, clinicToday("Asia/Vladivostok", now))).toEqual([])
    expect(codes({ ...patient, birthDate: "2026-06-17" }, clinicToday("Asia/Vladivostok", now))).toEqual(["birthDate:in_future"])
    expect(codes({ ...patient, birthDate: "2026-06-16" }, clinicToday("America/New_York", now))).toEqual(["birthDate:in_future"])
    // 00:30 in Vladivostok is 14:30 UTC of the day before: the desk-clock rule (UTC + 1 day) still takes the local date
    const earlyVladivostok = at("2026-06-15T14:30:00.000Z")
    expect(clinicToday("Asia/Vladivostok", earlyVladivostok).today()).toBe("2026-06-16")
    expect(latestDate(deskClockToday(earlyVladivostok))).toBe("2026-06-16")
  })

  it("must be calendar dates from 1900", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true)
    expect(isCalendarDate("2023-02-29")).toBe(false)
    expect(isCalendarDate("2026-13-01")).toBe(false)
    expect(isCalendarDate("2026-04-31")).toBe(false)
    expect(codes({ ...patient, birthDate: "2023-02-30" })).toEqual(["birthDate:invalid_date"])
    expect(isCalendarDate("0020-02-29")).toBe(true)
    expect(codes({ ...patient, birthDate: "0202-05-01" })).toEqual(["birthDate:too_old"])
    expect(codes({ ...patient, birthDate: "0000-01-01" })).toEqual(["birthDate:too_old"])
    expect(codes({ ...patient, birthDate: "1899-12-31" })).toEqual(["birthDate:too_old"])
    expect(codes({ ...patient, birthDate: "1900-01-01" })).toEqual([])
  })
})

describe("text that cannot be stored as given", () => {
  it("is refused: NUL (PostgreSQL refuses it) and lone surrogates (Automerge replaces them)", () => {
    expect(storable("Иванов 🐕 \n\t")).toBe(true)
    expect(storable("a\u0000b")).toBe(false)
    expect(storable("a\uD800b")).toBe(false)
    expect(storable("\uDC00")).toBe(false)
    const v = validateClient({ ...client, name: "Ива\u0000нов", email: "a\uD800@b.ru" })
    expect(v.ok ? [] : v.errors.map(e => `${e.field}:${e.code}`)).toEqual(["name:invalid_text", "email:invalid_text"])
  })
})
