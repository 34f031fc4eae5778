import { describe, expect, it } from "vitest"
import {
  checkClient,
  checkLines,
  checkPatient,
  checkPicked,
  checkSlot,
  type ClientFields,
  type PatientFields,
} from "../../../src/ui/forms/checks.js"
import { qtyProblem } from "../../../src/ui/state/qty.js"

const client: ClientFields = { name: "Смирнова Ольга", phone: "8 912 555-44-33", email: "", address: "", notes: "" }
const pet: PatientFields = {
  name: "Барсик",
  species: "кошка",
  breed: "",
  sex: "male",
  birthDate: "17.12.2012",
  chip: "",
  notes: "",
}
const TODAY = "2026-11-20"
const found = (errors: { field: string; code: string }[]): string[] => errors.map(e => `${e.field}:${e.code}`)

describe("a form's fields, checked all at once", () => {
  it("passes a client and a pet as staff fill them in, sending the birth date as YYYY-MM-DD", () => {
    expect(checkClient(client).errors).toEqual([])
    const p = checkPatient(pet, TODAY, "patients[0].")
    expect(p.errors).toEqual([])
    expect(p.value).toMatchObject({ name: "Барсик", birthDate: "2012-12-17", sex: "male" })
    expect(checkPatient({ ...pet, birthDate: "" }, TODAY).value.birthDate).toBe("")
  })

  it("finds the client's and the pet's problems together, each under its argument path", () => {
    const c = checkClient({ ...client, name: " ", phone: "8 912 555", email: "nope" }, "newClient.")
    const p = checkPatient({ ...pet, species: "", birthDate: "31.02.2026", chip: "12" }, TODAY, "newPatient.")
    expect(found([...c.errors, ...p.errors])).toEqual([
      "newClient.phone:phone_too_short",
      "newClient.name:required",
      "newClient.email:invalid_email",
      "newPatient.birthDate:invalid_date",
      "newPatient.species:required",
      "newPatient.chip:invalid_chip",
    ])
  })

  it("refuses a birth date after the clinic's today, and before 1900", () => {
    expect(found(checkPatient({ ...pet, birthDate: "20.11.2026" }, TODAY).errors)).toEqual([])
    expect(found(checkPatient({ ...pet, birthDate: "21.11.2026" }, TODAY).errors)).toEqual(["birthDate:in_future"])
    expect(found(checkPatient({ ...pet, birthDate: "31.12.1899" }, TODAY).errors)).toEqual(["birthDate:too_old"])
  })

  it("reads a booking's day, time and length on the clinic's clock", () => {
    const ok = checkSlot(
      { vet: "Петров", date: "23.11.2026", time: "18:30", minutes: "30", reason: "" },
      "Europe/Moscow",
    )
    expect(ok.errors).toEqual([])
    expect(ok.value).toEqual({
      vet: "Петров",
      day: "2026-11-23",
      start: "2026-11-23T15:30:00.000Z",
      end: "2026-11-23T16:00:00.000Z",
      reason: "",
    })
    const bad = checkSlot({ vet: " ", date: "31.11.2026", time: "25:00", minutes: "0", reason: "" }, "Europe/Moscow")
    expect(found(bad.errors)).toEqual([
      "date:invalid_date",
      "time:invalid_time",
      "minutes:invalid_duration",
      "vet:required",
    ])
    expect(bad.value).toBeNull()
  })

  it("asks for a client and a patient picked", () => {
    expect(found(checkPicked("", "", true))).toEqual(["clientId:no_client"])
    expect(found(checkPicked("c", "", true))).toEqual(["patientId:no_patient"])
    expect(found(checkPicked("c", "", false))).toEqual([])
  })

  it("says which invoice line's quantity is wrong, and why", () => {
    expect(found(checkLines([]))).toEqual(["lines:no_lines"])
    expect(found(checkLines([{ qtyText: "1" }, { qtyText: "-1" }, { qtyText: "1,2345" }, { qtyText: "" }]))).toEqual([
      "lines[1].qtyMilli:qty_not_positive",
      "lines[2].qtyMilli:qty_format",
      "lines[3].qtyMilli:required",
    ])
    expect(["0", "-0,5", "−2"].map(qtyProblem)).toEqual(["qty_not_positive", "qty_not_positive", "qty_not_positive"])
    expect(["abc", "1e3", "1,5,"].map(qtyProblem)).toEqual(["qty_format", "qty_format", "qty_format"])
    expect(["1", "0,5", "2.125"].map(qtyProblem)).toEqual([null, null, null])
  })
})
