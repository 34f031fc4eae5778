import type { Invoice, InvoiceState, Payment } from "@vetsync/shared"
import { invoiceOfRow, s, type Row } from "./rows.js"
import type { Statements } from "./Statements.js"

/** What an invoice search asks for; every part optional. Instants are ISO, [from, to). */
export interface InvoiceFilter {
  /** the invoice number, or its beginning (any case) */
  number?: string
  clientId?: string
  from?: string
  to?: string
  states?: readonly InvoiceState[]
}

/** The invoices: one by id, a list by period and client, a search with paging. */
export class InvoiceQueries {
  readonly #statements: Statements

  constructor(statements: Statements) {
    this.#statements = statements
  }

  /**
   * Money moved in [from, to) (ISO instants): the payments and refunds taken then (of live
   * invoices, every desk's merged so far), and the live invoices voided then.
   */
  moneyBetween(from: string, to: string): { payments: Payment[]; voided: Invoice[] } {
    const payments = (
      this.#statements
        .of(
          `SELECT p.value AS payment FROM invoices i, json_each(i.payments) p
           WHERE i.deleted = 0 AND json_extract(p.value, '$.at') >= ? AND json_extract(p.value, '$.at') < ?`,
        )
        .all(from, to) as { payment: string }[]
    ).map(r => JSON.parse(r.payment) as Payment)
    const voided = (
      this.#statements
        .of(
          `SELECT * FROM invoices WHERE deleted = 0 AND state = 'void'
           AND json_extract(voided, '$.at') >= ? AND json_extract(voided, '$.at') < ?`,
        )
        .all(from, to) as Row[]
    ).map(invoiceOfRow)
    return { payments, voided }
  }

  get(id: string): Invoice | undefined {
    const r = this.#statements.of("SELECT * FROM invoices WHERE id = ?").get(id) as Row | undefined
    return r ? invoiceOfRow(r) : undefined
  }
  /** invoices issued in [from, to) (ISO instants), of a client, newest first */
  list(opts: { from?: string; to?: string; clientId?: string; limit: number }): Invoice[] {
    return this.search(opts, opts.limit, 0)
  }

  /**
   * One page of the invoices that match, newest first (then by number): every condition is on an
   * indexed column (number, client_id + issued_at, state + issued_at, issued_at).
   */
  search(f: InvoiceFilter, limit: number, offset: number): Invoice[] {
    const { where, args } = whereOf(f)
    return (
      this.#statements
        .of(`SELECT * FROM invoices WHERE ${where} ORDER BY issued_at DESC, number DESC LIMIT ? OFFSET ?`)
        .all(...args, limit, offset) as Row[]
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

  /** How many invoices match (for the pager). */
  count(f: InvoiceFilter): number {
    const { where, args } = whereOf(f)
    const r = this.#statements.of(`SELECT count(*) AS n FROM invoices WHERE ${where}`).get(...args) as Row
    return Number(r.n)
  }

  /** The document an invoice was read from: where its changes go ("" or undefined: unknown). */
  docKeyOf(id: string): string | undefined {
    const r = this.#statements.of("SELECT doc_key FROM invoices WHERE id = ?").get(id) as Row | undefined
    return r ? s(r.doc_key) : undefined
  }
}

const whereOf = (f: InvoiceFilter): { where: string; args: unknown[] } => {
  const where = ["deleted = 0"]
  const args: unknown[] = []
  const number = (f.number ?? "").trim()
  if (number !== "") {
    // a prefix range on the NOCASE index: "d1-2611" finds D1-2611-00001 ... (LIKE would scan)
    where.push("number >= ? COLLATE NOCASE AND number < ? COLLATE NOCASE")
    args.push(number, `${number}\uffff`)
  }
  if (f.from !== undefined) {
    where.push("issued_at >= ?")
    args.push(f.from)
  }
  if (f.to !== undefined) {
    where.push("issued_at < ?")
    args.push(f.to)
  }
  if (f.clientId) {
    where.push("client_id = ?")
    args.push(f.clientId)
  }
  if (f.states && f.states.length > 0) {
    where.push(`state IN (${f.states.map(() => "?").join(", ")})`)
    args.push(...f.states)
  }
  return { where: where.join(" AND "), args }
}
