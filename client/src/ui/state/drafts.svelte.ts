import { formatPhone, type Client, type Patient } from "@vetsync/shared/schema"
import type { ClientFields, PatientFields, SlotFields } from "../forms/checks.js"
import { formatDate, type DateLang } from "../forms/dates.js"

/** What staff type into a client's fields (read by forms/checks.ts before anything is sent). */
export class ClientDraft implements ClientFields {
  name = $state("")
  phone = $state("")
  email = $state("")
  address = $state("")
  notes = $state("")

  constructor(initial: Partial<Client> = {}) {
    this.name = initial.name ?? ""
    this.phone = initial.phone ? formatPhone(initial.phone) : ""
    this.email = initial.email ?? ""
    this.address = initial.address ?? ""
    this.notes = initial.notes ?? ""
  }
}

/** What staff type into a patient's fields; the birth date as they read it (ДД.ММ.ГГГГ). */
export class PatientDraft implements PatientFields {
  name = $state("")
  species = $state("")
  breed = $state("")
  sex = $state("unknown")
  birthDate = $state("")
  chip = $state("")
  notes = $state("")

  constructor(initial: Partial<Patient> = {}, lang: DateLang = "ru") {
    this.name = initial.name ?? ""
    this.species = initial.species ?? ""
    this.breed = initial.breed ?? ""
    this.sex = initial.sex ?? "unknown"
    this.birthDate = initial.birthDate ? formatDate(initial.birthDate, lang) : ""
    this.chip = initial.chip ?? ""
    this.notes = initial.notes ?? ""
  }
}

/** A booking's day, time, length, vet and reason as typed. */
export class SlotDraft implements SlotFields {
  vet = $state("")
  date = $state("")
  time = $state("09:00")
  minutes = $state("30")
  reason = $state("")

  constructor(vet: string, date: string, lang: DateLang, time = "09:00") {
    this.vet = vet
    this.date = formatDate(date, lang)
    this.time = time
  }
}
