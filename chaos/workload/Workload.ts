import type { Appointment } from "@vetsync/shared"
import { Rng, VETS } from "@vetsync/test-kit/seed"
import { CLIENT_FIELDS, PATIENT_FIELDS, type Op, type OpBody, type ReadCommand, type Ref } from "./ops.js"
import { Values } from "./values.js"

export interface WorkloadOptions {
  seed: number
  desks: number
  /** UTC date (YYYY-MM-DD) the appointments are booked around */
  baseDate: string
  /** price-list items to sell (indexes into the desks' price list, sorted by code) */
  items: number
}

interface Made {
  ref: Ref
  desk: number
  n: number
  deleted: boolean
}
interface MadeClient extends Made {
  name: string
  patients: MadePatient[]
}
interface MadePatient extends Made {
  client: MadeClient
}

/** A record another desk made is a target only this many rounds later (it has had time to sync). */
const LAG_ROUNDS = 8
const STATUSES: readonly Appointment["status"][] = ["arrived", "done", "cancelled", "no_show", "scheduled"]
const QTYS = [1000, 2000, 500, 1500, 250] as const
const READS: readonly ReadCommand[] = [
  "status",
  "clients.search",
  "clients.get",
  "appointments.day",
  "appointments.vets",
  "invoices.get",
  "invoices.list",
  "pricelist.search",
  "conflicts.list",
  "rejections.list",
]
type Kind = Op["kind"]
const WEIGHTS: readonly (readonly [Kind, number])[] = [
  ["clients.create", 12],
  ["clients.update", 14],
  ["clients.delete", 2],
  ["patients.create", 6],
  ["patients.update", 10],
  ["patients.delete", 2],
  ["appointments.book", 10],
  ["appointments.setStatus", 7],
  ["invoices.create", 7],
  ["invoices.markPaid", 4],
  ["invoices.void", 2],
  ["conflicts.resolve", 3],
  ["read", 21],
]

/**
 * The seeded workload: in round r, desk d does op r * desks + d. Rounds are generated on
 * demand, in order, from the seed alone, so a seed always gives the same schedule however
 * fast the desks go. Ops name records by ref; targets are records this desk made, or that
 * another desk made LAG_ROUNDS rounds before.
 */
export class Workload {
  readonly opts: WorkloadOptions
  readonly #rng: Rng
  readonly #values: Values
  readonly #rounds: Op[][] = []
  readonly #clients: MadeClient[] = []
  readonly #patients: MadePatient[] = []
  readonly #appts: Made[] = []
  readonly #invoices: (Made & { voided: boolean })[] = []

  constructor(opts: WorkloadOptions) {
    this.opts = opts
    this.#rng = new Rng(opts.seed, "workload")
    this.#values = new Values(new Rng(opts.seed, "workload-values"), "g")
  }

  /** The op desk `desk` does at its `step`-th turn. */
  op(desk: number, step: number): Op {
    while (this.#rounds.length <= step) this.#round(this.#rounds.length)
    const op = this.#rounds[step]?.[desk]
    if (!op) throw new Error(`no op for desk ${desk} step ${step}`)
    return op
  }

  #round(r: number): void {
    const ops: Op[] = []
    for (let desk = 0; desk < this.opts.desks; desk++) {
      const n = r * this.opts.desks + desk
      ops.push({ ...this.#body(desk, n), n, desk })
    }
    this.#rounds.push(ops)
  }

  #body(desk: number, n: number): OpBody {
    const rng = this.#rng
    const kind = rng.weighted(WEIGHTS)
    const client = (): MadeClient | undefined => this.#pick(this.#clients, desk, n)
    switch (kind) {
      case "clients.update": {
        const c = client()
        if (c) return { kind, target: c.ref, patch: this.#patch("clients", CLIENT_FIELDS, c) }
        break
      }
      case "clients.delete": {
        const c = client()
        if (c) {
          c.deleted = true
          return { kind, target: c.ref }
        }
        break
      }
      case "patients.create": {
        const c = client()
        if (c) return { kind, ref: this.#patient(c, `p${n}`, desk, n).ref, client: c.ref, values: this.#values.patient() }
        break
      }
      case "patients.update": {
        const p = this.#pick(this.#patients, desk, n)
        if (p) return { kind, target: p.ref, patch: this.#patch("patients", PATIENT_FIELDS) }
        break
      }
      case "patients.delete": {
        const p = this.#pick(this.#patients, desk, n)
        if (p) {
          p.deleted = true
          return { kind, target: p.ref }
        }
        break
      }
      case "appointments.book":
        return this.#book(desk, n)
      case "appointments.setStatus": {
        const a = this.#pick(this.#appts, desk, n)
        if (a) return { kind, target: a.ref, status: rng.pick(STATUSES) }
        break
      }
      case "invoices.create": {
        const c = client()
        if (c) {
          const pets = c.patients.filter(p => !p.deleted)
          const patient = pets.length && rng.chance(0.7) ? rng.pick(pets).ref : null
          const lines = Array.from({ length: rng.int(1, 3) }, () => ({ item: rng.int(0, this.opts.items - 1), qtyMilli: rng.pick(QTYS) }))
          this.#invoices.push({ ref: `i${n}`, desk, n, deleted: false, voided: false })
          return { kind, ref: `i${n}`, client: c.ref, patient, vet: rng.pick(VETS), lines }
        }
        break
      }
      case "invoices.markPaid":
      case "invoices.void": {
        const i = this.#pick(this.#invoices, desk, n)
        if (i && !i.voided) {
          if (kind === "invoices.void") i.voided = true
          return { kind, target: i.ref }
        }
        break
      }
      case "conflicts.resolve":
        return { kind, pick: rng.int(0, 1000), choice: rng.int(0, 1000) }
      case "read":
        return this.#read(desk, n)
      case "clients.create":
        break
    }
    return this.#createClient(desk, n)
  }

  #createClient(desk: number, n: number): OpBody {
    const values = this.#values.client()
    const c: MadeClient = { ref: `c${n}`, desk, n, deleted: false, name: values.name, patients: [] }
    this.#clients.push(c)
    const patients = Array.from({ length: this.#rng.int(0, 2) }, (_, i) => ({
      ref: this.#patient(c, `p${n}.${i}`, desk, n).ref,
      values: this.#values.patient(),
    }))
    return { kind: "clients.create", ref: c.ref, values, patients }
  }

  #patient(client: MadeClient, ref: Ref, desk: number, n: number): MadePatient {
    const p: MadePatient = { ref, desk, n, deleted: false, client }
    client.patients.push(p)
    this.#patients.push(p)
    return p
  }

  #patch(collection: "clients" | "patients", fields: readonly string[], client?: MadeClient): Record<string, string> {
    const patch: Record<string, string> = {}
    for (let i = this.#rng.int(1, 2); i > 0; i--) {
      const f = this.#rng.pick(fields)
      patch[f] = this.#values.field(collection, f)
      if (client && f === "name") client.name = patch[f]
    }
    return patch
  }

  #book(desk: number, n: number): OpBody {
    const rng = this.#rng
    const day = new Date(Date.parse(`${this.opts.baseDate}T00:00:00.000Z`) + rng.int(-2, 7) * 86_400_000)
    day.setUTCHours(rng.int(8, 18), rng.pick([0, 15, 30, 45]))
    const start = day.toISOString()
    const end = new Date(day.getTime() + rng.pick([15, 30, 45, 60]) * 60_000).toISOString()
    const base = { kind: "appointments.book" as const, ref: `a${n}`, vet: rng.pick(VETS), start, end, reason: `приём g-a${n}` }
    this.#appts.push({ ref: `a${n}`, desk, n, deleted: false })
    const c = rng.chance(0.7) ? this.#pick(this.#clients, desk, n) : undefined
    if (!c) {
      const values = this.#values.client()
      const made: MadeClient = { ref: `c${n}`, desk, n, deleted: false, name: values.name, patients: [] }
      this.#clients.push(made)
      return { ...base, client: { ref: made.ref, values }, patient: { ref: this.#patient(made, `p${n}`, desk, n).ref, values: this.#values.patient() } }
    }
    const pets = c.patients.filter(p => !p.deleted)
    if (pets.length && rng.chance(0.7)) return { ...base, client: c.ref, patient: rng.pick(pets).ref }
    return { ...base, client: c.ref, patient: { ref: this.#patient(c, `p${n}`, desk, n).ref, values: this.#values.patient() } }
  }

  #read(desk: number, n: number): OpBody {
    const rng = this.#rng
    const command = rng.pick(READS)
    const c = this.#pick(this.#clients, desk, n)
    const target =
      command === "clients.get" ? (c?.ref ?? null) : command === "invoices.get" ? (this.#pick(this.#invoices, desk, n)?.ref ?? null) : null
    const date = new Date(Date.parse(`${this.opts.baseDate}T00:00:00.000Z`) + rng.int(-2, 7) * 86_400_000).toISOString().slice(0, 10)
    return { kind: "read", command, target, query: command === "clients.search" ? (c?.name ?? "Иванов") : "", date }
  }

  /** A live record to act on: one this desk made (60 %) or one another desk made long enough ago. */
  #pick<T extends Made>(list: readonly T[], desk: number, n: number): T | undefined {
    const own: T[] = []
    const others: T[] = []
    const lag = LAG_ROUNDS * this.opts.desks
    for (let i = list.length - 1; i >= 0 && own.length + others.length < 120; i--) {
      const x = list[i] as T
      if (x.deleted) continue
      if (x.desk === desk) own.push(x)
      else if (n - x.n >= lag) others.push(x)
    }
    const pool = own.length && (this.#rng.chance(0.6) || !others.length) ? own : others
    if (!pool.length) return undefined
    return pool[Math.floor(this.#rng.float() ** 2 * pool.length)]
  }
}
