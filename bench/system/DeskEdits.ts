import type { DeskArgs, DeskCommand, DeskResult } from "@vetsync/client"
import type { DeskClient } from "../../chaos/DeskClient.js"

/** The tables an edit lands in. */
export type EditTable = "clients" | "patients" | "appointments" | "invoices"

/** What PostgreSQL shows once an edit arrived: the row, and for an update the column's new value. */
export interface RowCheck {
  table: EditTable
  id: string
  column?: "phone" | "name" | "status"
  value?: string
}

/** The kinds of edit, in the order a mixed run cycles through them. */
export const EDIT_KINDS = [
  "clients.create",
  "clients.update",
  "patients.create",
  "patients.update",
  "appointments.book",
  "appointments.setStatus",
  "invoices.create",
  "invoices.markPaid",
] as const
export type EditKind = (typeof EDIT_KINDS)[number]

const SLOT_MS = 15 * 60_000

/**
 * Mixed desk edits through a real desk's HTTP API (creates and updates of clients, patients,
 * appointments and invoices), each answered with the check that says it reached PostgreSQL.
 * Updates take the records this object created, round robin, so each one has something to change.
 */
export class DeskEdits {
  readonly #desk: DeskClient
  readonly #itemId: string
  readonly #clients: string[] = []
  readonly #patients: { id: string; clientId: string }[] = []
  readonly #appointments: string[] = []
  readonly #invoices: string[] = []
  /** invoices not paid yet (markPaid takes the oldest) */
  readonly #unpaid: string[] = []
  #n = 0
  readonly #base: number

  constructor(desk: DeskClient, itemId: string) {
    this.#desk = desk
    this.#itemId = itemId
    // appointments from tomorrow 06:00 UTC on, one slot each
    const d = new Date()
    this.#base = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, 6)
  }

  /** The n-th edit of a mixed run: kinds cycle, and a kind with nothing to change yet creates instead. */
  async mixed(i: number): Promise<RowCheck> {
    return this.edit(EDIT_KINDS[i % EDIT_KINDS.length] ?? "clients.create")
  }

  async edit(kind: EditKind): Promise<RowCheck> {
    const n = ++this.#n
    switch (kind) {
      case "clients.create": {
        const r = await this.#call("clients.create", { name: `Бенч Клиент ${n}`, phone: this.#phone(n) })
        this.#clients.push(r.client.id)
        return { table: "clients", id: r.client.id }
      }
      case "clients.update": {
        const id = this.#pick(this.#clients)
        if (!id) return this.edit("clients.create")
        const phone = this.#phone(n)
        await this.#call("clients.update", { id, patch: { phone } })
        return { table: "clients", id, column: "phone", value: phone }
      }
      case "patients.create": {
        const clientId = this.#pick(this.#clients)
        if (!clientId) return this.edit("clients.create")
        const p = await this.#call("patients.create", { clientId, name: `Барсик ${n}`, species: "кошка" })
        this.#patients.push({ id: p.id, clientId })
        return { table: "patients", id: p.id }
      }
      case "patients.update": {
        const p = this.#pick(this.#patients)
        if (!p) return this.edit("patients.create")
        const name = `Мурзик ${n}`
        await this.#call("patients.update", { id: p.id, patch: { name } })
        return { table: "patients", id: p.id, column: "name", value: name }
      }
      case "appointments.book": {
        const p = this.#pick(this.#patients)
        if (!p) return this.edit("patients.create")
        const start = this.#base + (n % 2000) * SLOT_MS
        const r = await this.#call("appointments.book", {
          clientId: p.clientId,
          patientId: p.id,
          vet: "Иванова А. П.",
          start: new Date(start).toISOString(),
          end: new Date(start + SLOT_MS).toISOString(),
          reason: "осмотр",
          override: true,
        })
        this.#appointments.push(r.appointment.id)
        return { table: "appointments", id: r.appointment.id }
      }
      case "appointments.setStatus": {
        const id = this.#pick(this.#appointments)
        if (!id) return this.edit("appointments.book")
        const status = n % 2 ? "arrived" : "done"
        await this.#call("appointments.setStatus", { id, status })
        return { table: "appointments", id, column: "status", value: status }
      }
      case "invoices.create": {
        const clientId = this.#pick(this.#clients)
        if (!clientId) return this.edit("clients.create")
        const inv = await this.#call("invoices.create", { clientId, lines: [{ itemId: this.#itemId, qtyMilli: 1000 }] })
        this.#invoices.push(inv.id)
        this.#unpaid.push(inv.id)
        return { table: "invoices", id: inv.id }
      }
      case "invoices.markPaid": {
        const id = this.#unpaid.shift()
        if (!id) return this.edit("invoices.create")
        await this.#call("invoices.markPaid", { id })
        return { table: "invoices", id, column: "status", value: "paid" }
      }
    }
  }

  /** +7 999 followed by 7 digits: a phone as the desk stores it */
  #phone(n: number): string {
    return `+7999${String(1_000_000 + (n % 9_000_000))}`
  }

  /** round robin over what exists, newest first (the records most recently made are the ones staff touch) */
  #pick<T>(xs: readonly T[]): T | undefined {
    if (xs.length === 0) return undefined
    return xs[xs.length - 1 - (this.#n % Math.min(xs.length, 50))]
  }

  async #call<C extends DeskCommand>(command: C, args: DeskArgs<C>): Promise<Awaited<DeskResult<C>>> {
    const a = await this.#desk.call(command, args)
    if (a.kind !== "ok") throw new Error(`${command}: ${a.kind} ${"message" in a ? a.message : ""}`)
    return a.value
  }
}
