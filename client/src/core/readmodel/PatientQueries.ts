import type { Patient } from "@vetsync/shared"
import { patientOfRow, type Row } from "./rows.js"
import type { Statements } from "./Statements.js"

/** The patients of the read model: one by id, a client's live ones. */
export class PatientQueries {
  readonly #statements: Statements

  constructor(statements: Statements) {
    this.#statements = statements
  }

  get(id: string): Patient | undefined {
    const r = this.#statements.of("SELECT * FROM patients WHERE id = ?").get(id) as Row | undefined
    return r ? patientOfRow(r) : undefined
  }
  /** a client's live patients, by name */
  ofClient(clientId: string): Patient[] {
    return (
      this.#statements
        .of("SELECT * FROM patients WHERE client_id = ? AND deleted = 0 ORDER BY name")
        .all(clientId) as Row[]
    ).map(patientOfRow)
  }
}
