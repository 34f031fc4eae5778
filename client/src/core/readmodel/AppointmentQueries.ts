import type { Appointment } from "@vetsync/shared"
import { appointmentOfRow, s, type Row } from "./rows.js"
import type { Statements } from "./Statements.js"

/** The schedule: an appointment by id, a range of days, the vets who have appointments. */
export class AppointmentQueries {
  readonly #statements: Statements

  constructor(statements: Statements) {
    this.#statements = statements
  }

  get(id: string): Appointment | undefined {
    const r = this.#statements.of("SELECT * FROM appointments WHERE id = ?").get(id) as Row | undefined
    return r ? appointmentOfRow(r) : undefined
  }
  /** live appointments starting in [from, to) */
  between(from: string, to: string): Appointment[] {
    return (
      this.#statements
        .of("SELECT * FROM appointments WHERE start >= ? AND start < ? AND deleted = 0 ORDER BY start, vet")
        .all(from, to) as Row[]
    ).map(appointmentOfRow)
  }
  /** A client's (or one patient's) appointments, newest start first, a page of them, and how many there are. */
  ofOwner(owner: { clientId: string } | { patientId: string }, limit: number): { items: Appointment[]; total: number } {
    const [column, value] = "patientId" in owner ? ["patient_id", owner.patientId] : ["client_id", owner.clientId]
    const items = (
      this.#statements
        .of(`SELECT * FROM appointments WHERE ${column} = ? AND deleted = 0 ORDER BY start DESC LIMIT ?`)
        .all(value, limit) as Row[]
    ).map(appointmentOfRow)
    const total = this.#statements.of(`SELECT count(*) AS n FROM appointments WHERE ${column} = ? AND deleted = 0`).get(value) as Row
    return { items, total: Number(total.n) }
  }
  /**
   * Live or not, the undeleted appointments of `vet` that may intersect [start, end): the bounds
   * are widened by a second, because ISO strings with and without milliseconds do not compare as
   * their instants do; the caller tests the instants (slots.ts overlapsOf).
   */
  ofVetAround(vet: string, start: string, end: string): Appointment[] {
    const widen = (iso: string, by: number): string => new Date(Date.parse(iso) + by).toISOString()
    return (
      this.#statements
        .of('SELECT * FROM appointments WHERE vet = ? AND deleted = 0 AND start < ? AND "end" > ? ORDER BY start')
        .all(vet, widen(end, 1000), widen(start, -1000)) as Row[]
    ).map(appointmentOfRow)
  }
  vets(): string[] {
    return (
      this.#statements.of("SELECT DISTINCT vet FROM appointments WHERE deleted = 0 ORDER BY vet").all() as Row[]
    ).map(r => s(r.vet))
  }
  /** The document an appointment was read from: where its changes go ("" or undefined: unknown). */
  docKeyOf(id: string): string | undefined {
    const r = this.#statements.of("SELECT doc_key FROM appointments WHERE id = ?").get(id) as Row | undefined
    return r ? s(r.doc_key) : undefined
  }
}
