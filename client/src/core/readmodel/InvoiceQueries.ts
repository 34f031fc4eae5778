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
  /** The document an invoice was read from: where its changes go ("" or undefined: unknown). */
  docKeyOf(id: string): string | undefined {
    const r = this.#statements.of("SELECT doc_key FROM invoices WHERE id = ?").get(id) as Row | undefined
    return r ? s(r.doc_key) : undefined
  }
}
