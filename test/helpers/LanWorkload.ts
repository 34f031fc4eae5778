import type { DeskCore } from "@vetsync/client"
import { eventually } from "@vetsync/test-kit"
import { Rng } from "@vetsync/test-kit/seed"

export type Collection = "clients" | "patients" | "appointments"

/** A record the workload made, with the value of its field that the last edit wrote. */
export interface Tracked {
  collection: Collection
  id: string
  /** the desk (index) that made it */
  by: number
  clientId: string
  patientId: string
  /** clients and patients: notes; appointments: the start (ISO) */
  value: string
}

/** The day every appointment is booked on (clinic days in Moscow), and its first slot. */
export const DAY = "2026-12-10"
const FIRST_SLOT = Date.UTC(2026, 11, 10, 5, 0)
const VETS = ["Петрова А. В.", "Иванов И. И."]

/**
 * A seeded mix of work on three desks: clients, patients and appointments made on one desk, and
 * edits of other desks' records (notes, a move). After each step the change must show on the two
 * other desks (`check`). Every appointment gets its own 20-minute slot, so none overlaps.
 */
export class LanWorkload {
  readonly records: Tracked[] = []
  readonly steps: string[] = []
  readonly #rng: Rng
  readonly #desks: readonly DeskCore[]
  #slot = 0

  constructor(seed: string, desks: readonly DeskCore[]) {
    this.#rng = new Rng(seed, "lan-relay-back")
    this.#desks = desks
  }

  /** A new client on desk `i`. */
  async createClient(i: number, step: number): Promise<Tracked> {
    const notes = `client of step ${step}`
    const { client } = await this.#desk(i).call("clients.create", { name: `Клиент ${step} ${"ABC"[i]}`, notes })
    return this.#track({ collection: "clients", id: client.id, by: i, clientId: client.id, patientId: "", value: notes }, `${"ABC"[i]} creates client ${client.id}`)
  }

  /** One seeded step: returns the record it made or changed. */
  async step(step: number): Promise<Tracked> {
    const i = this.#rng.int(0, this.#desks.length - 1)
    const desk = this.#desk(i)
    const kind = this.#rng.weighted<string>([
      ["client", 2],
      ["patient", 2],
      ["appointment", 2],
      ["edit", 4],
    ])
    const clients = this.records.filter(r => r.collection === "clients")
    const patients = this.records.filter(r => r.collection === "patients")
    if (kind === "client" || clients.length === 0) return this.createClient(i, step)
    if (kind === "patient" || patients.length === 0) {
      const owner = this.#rng.pick(clients)
      const notes = `patient of step ${step}`
      const p = await desk.call("patients.create", { clientId: owner.id, name: `Питомец ${step}`, species: "кошка", notes })
      return this.#track({ collection: "patients", id: p.id, by: i, clientId: owner.id, patientId: p.id, value: notes }, `${"ABC"[i]} adds patient ${p.id}`)
    }
    if (kind === "appointment") {
      const p = this.#rng.pick(patients)
      const start = this.#nextSlot()
      const { appointment } = await desk.call("appointments.book", {
        clientId: p.clientId,
        patientId: p.id,
        vet: this.#rng.pick(VETS),
        start,
        end: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
      })
      return this.#track({ collection: "appointments", id: appointment.id, by: i, clientId: p.clientId, patientId: p.id, value: start }, `${"ABC"[i]} books ${appointment.id}`)
    }
    // an edit, of another desk's record when there is one
    const others = this.records.filter(r => r.by !== i)
    const target = this.#rng.pick(others.length > 0 ? others : this.records)
    if (target.collection === "appointments") {
      target.value = this.#nextSlot()
      await desk.call("appointments.move", { id: target.id, start: target.value })
    } else {
      target.value = `edited on ${"ABC"[i]} at step ${step}`
      if (target.collection === "clients") await desk.call("clients.update", { id: target.id, patch: { notes: target.value } })
      else await desk.call("patients.update", { id: target.id, patch: { notes: target.value } })
    }
    this.steps.push(`${"ABC"[i]} edits ${target.collection} ${target.id} (made on ${"ABC"[target.by]})`)
    return target
  }

  /** The record's last value on desk `i` (undefined: not there). */
  async valueOn(i: number, r: Tracked): Promise<string | undefined> {
    const desk = this.#desk(i)
    if (r.collection === "appointments") {
      const a = (await desk.call("appointments.day", { date: DAY })).find(x => x.id === r.id)
      return a ? new Date(a.start).toISOString() : undefined
    }
    const card = await desk.call("clients.get", { id: r.clientId })
    if (r.collection === "clients") return card?.client.notes
    return card?.patients.find(p => p.id === r.id)?.notes
  }

  /** Waits until the record shows its last value on every desk. */
  async shows(r: Tracked, ms: number): Promise<void> {
    await eventually(
      `${r.collection} ${r.id} = ${JSON.stringify(r.value)} on every desk`,
      async () => {
        for (let i = 0; i < this.#desks.length; i++) if ((await this.valueOn(i, r)) !== r.value) return false
        return true
      },
      ms,
    )
  }

  #nextSlot(): string {
    return new Date(FIRST_SLOT + this.#slot++ * 20 * 60_000).toISOString()
  }

  #track(r: Tracked, step: string): Tracked {
    this.records.push(r)
    this.steps.push(step)
    return r
  }

  #desk(i: number): DeskCore {
    const d = this.#desks[i]
    if (!d) throw new Error(`no desk ${i}`)
    return d
  }
}
