import type { Sex } from "@vetsync/shared"
import type { Rng } from "@vetsync/test-kit/seed"
import type { ClientValues, PatientValues } from "./ops.js"

const SPECIES = ["кошка", "собака", "хорёк", "кролик", "попугай"] as const
const SEXES: readonly Sex[] = ["male", "female", "unknown"]
const SURNAMES = ["Иванов", "Фёдорова", "Смирнов", "Ёлкина", "Кузнецов", "Попова"] as const

/**
 * Field values that are valid and unique in a run: every write carries its own number, so a
 * final value names the write it came from. `lane` ("g" for the workload, "f" for the fault
 * schedule's conflict edits) keeps the two streams apart; `n` is unique within a lane.
 */
export class Values {
  readonly #rng: Rng
  readonly #lane: string
  #n = 0

  constructor(rng: Rng, lane: "g" | "f") {
    this.#rng = rng
    this.#lane = lane
  }

  #next(): number {
    return ++this.#n
  }

  /** a digit for the lane, so phones of the two lanes never meet */
  get #laneDigit(): string {
    return this.#lane === "g" ? "1" : "2"
  }

  client(): ClientValues {
    return {
      name: this.field("clients", "name"),
      phone: this.field("clients", "phone"),
      email: this.field("clients", "email"),
      address: this.field("clients", "address"),
      notes: this.field("clients", "notes"),
    }
  }

  patient(): PatientValues {
    return {
      name: this.field("patients", "name"),
      species: this.field("patients", "species"),
      breed: this.field("patients", "breed"),
      sex: this.field("patients", "sex") as Sex,
      birthDate: this.field("patients", "birthDate"),
      chip: this.field("patients", "chip"),
      notes: this.field("patients", "notes"),
    }
  }

  /** A new value for one field (unique except for the few-valued sex, species and birthDate). */
  field(collection: "clients" | "patients", field: string): string {
    const n = this.#next()
    const tag = `${this.#lane}${n}`
    switch (`${collection}.${field}`) {
      case "clients.name":
        return `${this.#rng.pick(SURNAMES)} ${tag}`
      case "clients.phone":
        // canonical, as the desk stores a phone (it would store "+7 9…" typed with a space as "+79…")
        return `+79${this.#laneDigit}${String(n).padStart(8, "0")}`
      case "clients.email":
        return `${tag}@chaos.test`
      case "clients.address":
        return `ул. Хаоса, д. ${tag}`
      case "clients.notes":
        return `заметка ${tag}`
      case "patients.name":
        return `Пёс ${tag}`
      case "patients.species":
        return this.#rng.pick(SPECIES)
      case "patients.breed":
        return `порода ${tag}`
      case "patients.sex":
        return this.#rng.pick(SEXES)
      case "patients.birthDate":
        return `20${String(this.#rng.int(10, 24)).padStart(2, "0")}-${String(this.#rng.int(1, 12)).padStart(2, "0")}-${String(this.#rng.int(1, 28)).padStart(2, "0")}`
      case "patients.chip":
        return `${this.#lane.toUpperCase()}${String(n).padStart(9, "0")}`
      case "patients.notes":
        return `кличка ${tag}`
      default:
        throw new Error(`no values for ${collection}.${field}`)
    }
  }
}
