import type { Invoice } from "@vetsync/shared"
import { invoiceOfRow, s, type Row } from "./rows.js"
import type { Statements } from "./Statements.js"

/** The invoices: one by id, a list by period and client. */
export class InvoiceQueries {
  readonly #statements: Statements

  constructor(statements: Statements) {
    this.#statements = statements
  }

  get(id: string): Invoice | undefined {
    const r = this.#statements.of("SELECT * FROM invoices WHERE id = ?").get(id) as Row | undefined
    return r ? invoiceOfRow(r) : undefined
  }
  /** invoices issued in [from, to) (ISO instants), of a client, newest first */
  list(opts: { from?: string; to?: string; clientId?: string; limit: number }): Invoice[] {
    const where = ["deleted = 0"]
    const args: unknown[] = []
    if (opts.from !== undefined && opts.to !== undefined) {
      where.push("issued_at >= ? AND issued_at < ?")
      args.push(opts.from, opts.to)
    }
    if (opts.clientId) {
      where.push("client_id = ?")
      args.push(opts.clientId)
    }
    return (
      this.#statements
        .of(`SELECT * FROM invoices WHERE ${where.join(" AND ")} ORDER BY issued_at DESC LIMIT ?`)
        .all(...args, opts.limit) as Row[]
    ).map(invoiceOfRow)
  }
  /** A client's (or one patient's) invoices, newest issue first, a page of them, and how many there are. */
  ofOwner(owner: { clientId: string } | { patientId: string }, limit: number): { items: Invoice[]; total: number } {
    const [column, value] = "patientId" in owner ? ["patient_id", owner.patientId] : ["client_id", owner.clientId]
    const items = (
      this.#statements
        .of(`SELECT * FROM invoices WHERE ${column} = ? AND deleted = 0 ORDER BY issued_at DESC LIMIT ?`)
        .all(value, limit) as Row[]
    ).map(invoiceOfRow)
    const total = this.#statements.of(`SELECT count(*) AS n FROM invoices WHERE ${column} = ? AND deleted = 0`).get(value) as Row
    return { items, total: Number(total.n) }
  }
  /** The document an invoice was read from: where its changes go ("" or undefined: unknown). */
  docKeyOf(id: string): string | undefined {
    const r = this.#statements.of("SELECT doc_key FROM invoices WHERE id = ?").get(id) as Row | undefined
    return r ? s(r.doc_key) : undefined
  }
}
