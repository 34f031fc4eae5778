import { setTimeout as delay } from "node:timers/promises"
import type { Client, Collection, Patient } from "@vetsync/shared"
import type { BookInput } from "@vetsync/client"
import { eventually } from "@vetsync/test-kit"
import { Rng } from "@vetsync/test-kit/seed"
import type { DeskNode } from "../Cluster.js"
import type { DeskAnswer } from "../DeskClient.js"
import { auditDisk, docKeyOf } from "../diskAudit.js"
import { domainFields, UNKNOWN_VALUE } from "../fields.js"
import type { Ledger } from "../Ledger.js"
import { collectionOfRef, type Op, type Ref } from "./ops.js"
import type { DeskHolds } from "./DeskHolds.js"
import type { Workload } from "./Workload.js"
import { resolveConflict, runRead } from "./reads.js"

/**
 * What a desk rightly refuses a receptionist who acts on an invoice another desk (or she herself)
 * already settled: paying or voiding a void invoice, paying one with nothing due (paid already,
 * its payments merged from another desk), voiding one with money paid (refund first).
 */
const EXPECTED_REFUSAL = /is void|nothing is due|has money paid/

export interface ReceptionistDeps {
  desk: DeskNode
  ledger: Ledger
  workload: Workload
  /** price-list item ids, by the index ops use */
  items: readonly string[]
  seed: number
  clinicId: string
  /** every desk's steps so far (shared by the receptionists: none runs far ahead of the others) */
  progress: number[]
  /** the chaos phase is over: finish the op in hand and stop */
  stopped: () => boolean
  /** the fault lane holds a desk's receptionist between two ops */
  holds: DeskHolds
}

/** Bound for a desk that a fault took down to answer again. */
const BACK_MS = 240_000
/**
 * A desk waits for the others when it is this many rounds ahead: records another desk makes are
 * targets LAG_ROUNDS later, which only works while the desks go at about the same pace.
 */
const MAX_AHEAD = 6

/**
 * One desk's receptionist: does the desk's ops of the seeded workload one after the other
 * through its HTTP API and writes every answer into the ledger. While the desk process is
 * down, the op waits for it (a refused connection never reached the desk) and is sent again.
 */
export class Receptionist {
  readonly deps: ReceptionistDeps
  steps = 0
  unresolved = 0
  readonly #pace: Rng

  constructor(deps: ReceptionistDeps) {
    this.deps = deps
    this.#pace = new Rng(deps.seed, `pace-${deps.desk.index}`)
  }

  get #name(): string {
    return this.deps.desk.name
  }

  async run(): Promise<void> {
    try {
      await this.#run()
    } finally {
      this.deps.holds.stopped(this.deps.desk.index)
    }
  }

  async #run(): Promise<void> {
    const { progress, desk, stopped } = this.deps
    while (!stopped()) {
      await eventually(
        `the other desks to come within ${MAX_AHEAD} rounds of ${this.#name}`,
        () => stopped() || progress.every((n, i) => i === desk.index || n >= this.steps - MAX_AHEAD),
        BACK_MS * 2,
        { pollMs: 50, describe: () => `steps ${progress.join(", ")}` },
      )
      if (stopped()) break
      // a desk about to be replaced: nothing new until the replacement answers (FaultRunner)
      await this.deps.holds.gate(desk.index, stopped)
      if (stopped()) break
      await this.#do(this.deps.workload.op(desk.index, this.steps))
      this.steps++
      progress[desk.index] = this.steps
      await delay(this.#pace.int(10, 120))
    }
  }

  /** Sends one API call; waits out a desk that is down and sends it again. */
  async call(command: string, args: unknown, op: Op | string): Promise<DeskAnswer<unknown>> {
    const label = typeof op === "string" ? op : `${op.kind}#${op.n}`
    for (;;) {
      const a = await this.deps.desk.client.call(command as "status", args as undefined)
      this.deps.ledger.answer(this.#name, command, label, a, { args })
      if (a.kind !== "unreachable" || this.deps.stopped()) return a
      await eventually(
        `${this.#name} to answer again (${label} waits)`,
        async () => this.deps.stopped() || (this.deps.desk.proc.running && (await this.deps.desk.client.call("status", undefined)).kind === "ok"),
        BACK_MS,
        { pollMs: 200 },
      )
    }
  }

  #id(ref: Ref): string | undefined {
    const id = this.deps.ledger.idOf(ref)
    if (id === undefined) this.unresolved++
    return id
  }

  /** not_found for a record this desk acknowledged itself, and nobody asked to delete: lost. */
  #checkLost(a: DeskAnswer<unknown>, op: Op, refs: (Ref | undefined)[]): void {
    if (a.kind !== "error") return
    const { ledger } = this.deps
    if (a.code === "not_found") {
      for (const ref of refs) {
        if (!ref) continue
        const id = ledger.idOf(ref)
        const c = collectionOfRef(ref)
        // the answer names the record it did not find (a booking names the patient, not the client)
        if (id && a.message.includes(id) && ledger.touchedBy(this.#name, c, id) && !ledger.deleteAsked.has(`${c}/${id}`)) {
          // at once, before the desk moves on: is the record still on its disk?
          const key = docKeyOf(c, id, f => ledger.createdValue(c, id, f))
          const { dataDir } = this.deps.desk
          const disk = key ? auditDisk(dataDir, this.deps.clinicId, key, c, id) : "document unknown"
          ledger.lost.push({ desk: this.#name, command: op.kind, op: `${op.kind}#${op.n}`, kind: a.kind, code: a.code, message: `${c}/${id}: ${a.message}; ${disk}`, at: new Date().toISOString() })
        }
      }
    } else if (a.code !== "internal" && !(a.code === "bad_request" && EXPECTED_REFUSAL.test(a.message)))
      ledger.refusedValid.push({ desk: this.#name, command: op.kind, op: `${op.kind}#${op.n}`, kind: a.kind, code: a.code, message: a.message, at: new Date().toISOString() })
  }

  /** Records what an acknowledged (or unanswered) write did. */
  #wrote(a: DeskAnswer<unknown>, collection: Collection, id: string, fields: Record<string, unknown>, op: Op): void {
    if (a.kind === "ok" || a.kind === "uncertain") this.deps.ledger.wrote(collection, id, this.#name, fields, `${op.kind}#${op.n}`, a.kind === "ok")
  }

  #created(collection: Collection, ref: Ref, record: { id: string }, op: Op): void {
    this.deps.ledger.bind(ref, record.id)
    this.deps.ledger.created(collection, record.id, this.#name, domainFields(collection, record), `${op.kind}#${op.n}`)
  }

  async #do(op: Op): Promise<void> {
    switch (op.kind) {
      case "clients.create": {
        const a = await this.call(op.kind, { ...op.values, patients: op.patients.map(p => p.values) }, op)
        if (a.kind === "ok") {
          const v = a.value as { client: Client; patients: Patient[] }
          this.#created("clients", op.ref, v.client, op)
          v.patients.forEach((p, i) => this.#created("patients", op.patients[i]?.ref ?? `?${op.n}`, p, op))
        }
        return this.#checkLost(a, op, [])
      }
      case "clients.update":
      case "patients.update": {
        const id = this.#id(op.target)
        if (!id) return
        const a = await this.call(op.kind, { id, patch: op.patch }, op)
        this.#wrote(a, collectionOfRef(op.target), id, op.patch, op)
        return this.#checkLost(a, op, [op.target])
      }
      case "clients.delete":
      case "patients.delete": {
        const id = this.#id(op.target)
        if (!id) return
        const a = await this.call(op.kind, { id }, op)
        this.#wrote(a, collectionOfRef(op.target), id, { deleted: true }, op)
        return this.#checkLost(a, op, [op.target])
      }
      case "patients.create": {
        const clientId = this.#id(op.client)
        if (!clientId) return
        const a = await this.call(op.kind, { ...op.values, clientId }, op)
        if (a.kind === "ok") this.#created("patients", op.ref, a.value as Patient, op)
        return this.#checkLost(a, op, [op.client])
      }
      case "appointments.book":
        return this.#book(op)
      case "appointments.setStatus": {
        const id = this.#id(op.target)
        if (!id) return
        const a = await this.call(op.kind, { id, status: op.status }, op)
        this.#wrote(a, "appointments", id, { status: op.status }, op)
        return this.#checkLost(a, op, [op.target])
      }
      case "invoices.create": {
        const clientId = this.#id(op.client)
        const patientId = op.patient ? this.#id(op.patient) : undefined
        if (!clientId || (op.patient && !patientId)) return
        const lines = op.lines.map(l => ({ itemId: this.deps.items[l.item] ?? "", qtyMilli: l.qtyMilli }))
        const a = await this.call(op.kind, { clientId, ...(patientId ? { patientId } : {}), vet: op.vet, lines }, op)
        if (a.kind === "ok") this.#created("invoices", op.ref, a.value as { id: string }, op)
        return this.#checkLost(a, op, [op.client, op.patient ?? undefined])
      }
      case "invoices.markPaid":
      case "invoices.void": {
        const id = this.#id(op.target)
        if (!id) return
        const a = await this.call(op.kind, op.kind === "invoices.void" ? { id, reason: "выставлен по ошибке" } : { id }, op)
        const v = a.kind === "ok" ? (a.value as { status: string; paidAt: string }) : undefined
        this.#wrote(a, "invoices", id, v ? (op.kind === "invoices.void" ? { status: v.status } : { status: v.status, paidAt: v.paidAt }) : op.kind === "invoices.void" ? { status: "void" } : { status: "paid", paidAt: UNKNOWN_VALUE }, op)
        return this.#checkLost(a, op, [op.target])
      }
      case "conflicts.resolve":
        return resolveConflict(this, op, (a, c, id, f) => this.#wrote(a, c, id, f, op))
      case "read":
        return runRead(this, op, ref => (ref ? this.#id(ref) : undefined), (a, refs) => this.#checkLost(a, op, refs))
    }
  }

  async #book(op: Extract<Op, { kind: "appointments.book" }>): Promise<void> {
    // the workload books random times: over another booking of the vet it books anyway, as staff may
    const args: BookInput = { vet: op.vet, start: op.start, end: op.end, reason: op.reason, override: true }
    if (typeof op.client === "string") {
      const id = this.#id(op.client)
      if (!id) return
      args.clientId = id
    } else args.newClient = op.client.values
    if (typeof op.patient === "string") {
      const id = this.#id(op.patient)
      if (!id) return
      args.patientId = id
    } else args.newPatient = op.patient.values
    const a = await this.call(op.kind, args, op)
    if (a.kind === "ok") {
      const v = a.value as { appointment: { id: string }; client: Client; patient: Patient }
      if (typeof op.client !== "string") this.#created("clients", op.client.ref, v.client, op)
      if (typeof op.patient !== "string") this.#created("patients", op.patient.ref, v.patient, op)
      this.#created("appointments", op.ref, v.appointment, op)
    }
    this.#checkLost(a, op, [typeof op.client === "string" ? op.client : undefined, typeof op.patient === "string" ? op.patient : undefined])
  }
}
