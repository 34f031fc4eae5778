import { appendFileSync } from "node:fs"
import { setTimeout as delay } from "node:timers/promises"
import type { Patient } from "@vetsync/shared"
import { Rng } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import type { Cluster, DeskNode } from "../Cluster.js"
import { domainFields } from "../fields.js"
import type { Ledger } from "../Ledger.js"
import { Values } from "../workload/values.js"
import type { Fault, FaultSchedule } from "./FaultSchedule.js"

export interface FaultRunnerDeps {
  cluster: Cluster
  ledger: Ledger
  schedule: FaultSchedule
  seed: number
  journalFile: string
  log: (line: string) => void
}

/** How long a record made on one desk may take to reach another before a conflict episode gives up. */
const REACH_MS = 90_000

/** Runs the fault lane: one episode after another until told to stop; every episode ends healed. */
export class FaultRunner {
  readonly deps: FaultRunnerDeps
  /** episodes run, by kind */
  readonly counts = new Map<string, number>()
  /** episodes that could not do what they meant to (with why) */
  readonly notes: string[] = []
  readonly #values: Values
  #episodes = 0

  constructor(deps: FaultRunnerDeps) {
    this.deps = deps
    this.#values = new Values(new Rng(deps.seed, "fault-values"), "f")
  }

  async run(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      const f = this.deps.schedule.next()
      this.#episodes++
      this.#journal("start", f)
      if (f.kind !== "calm") this.deps.log(`fault #${this.#episodes}: ${JSON.stringify(f)}`)
      await this.#run(f)
      this.counts.set(f.kind, (this.counts.get(f.kind) ?? 0) + 1)
      this.#journal("end", f)
    }
  }

  #journal(phase: string, f: Fault): void {
    appendFileSync(this.deps.journalFile, `${JSON.stringify({ at: new Date().toISOString(), episode: this.#episodes, phase, ...f })}\n`)
  }

  #desk(i: number): DeskNode {
    const d = this.deps.cluster.desks[i]
    if (!d) throw new Error(`no desk ${i}`)
    return d
  }

  async #run(f: Fault): Promise<void> {
    const c = this.deps.cluster
    switch (f.kind) {
      case "calm":
        return void (await delay(f.ms))
      case "relay.kill9":
        await c.relay.kill9()
        await delay(f.downMs)
        return c.startRelay()
      case "relay.restart":
        await c.relay.stop()
        if (c.relay.exits.at(-1)?.signal === "SIGKILL") this.notes.push(`relay did not stop on SIGTERM within 20 s (episode ${this.#episodes}): killed`)
        return c.startRelay()
      case "bridge.kill9":
        await c.bridge.kill9()
        await delay(f.downMs)
        return c.startBridge()
      case "bridge.cut":
        c.bridgeProxy[f.mode]()
        await delay(f.holdMs)
        return c.bridgeProxy.heal()
      case "desk.kill9":
        await this.#desk(f.desk).proc.kill9()
        await delay(f.downMs)
        return c.startDesk(f.desk)
      case "desk.cut": {
        const d = this.#desk(f.desk)
        d.proxy[f.mode]()
        await delay(f.holdMs)
        return d.proxy.heal()
      }
      case "pileup": {
        const d = this.#desk(f.desk)
        const t0 = Date.now()
        d.proxy[f.mode]()
        await delay(f.holdMs / 3)
        await c.relay.kill9()
        await delay(f.relayDownMs)
        await c.startRelay()
        await this.#desk(f.killDesk).proc.kill9()
        await delay(f.deskDownMs)
        await c.startDesk(f.killDesk)
        await delay(Math.max(0, f.holdMs - (Date.now() - t0)))
        return d.proxy.heal()
      }
      case "conflict":
        return this.#conflict(f)
    }
  }

  /** A designated concurrent same-field edit on desks a and b (see Fault "conflict"). */
  async #conflict(f: Extract<Fault, { kind: "conflict" }>): Promise<void> {
    const { ledger } = this.deps
    const a = this.#desk(f.a)
    const b = this.#desk(f.b)
    const label = `conflict#${this.#episodes}`
    const made = await a.client.call("clients.create", { ...this.#values.client(), patients: [this.#values.patient()] })
    ledger.answer(a.name, "clients.create", label, made)
    if (made.kind !== "ok") return void this.notes.push(`${label}: create on ${a.name} answered ${JSON.stringify(made)}`)
    const { client, patients } = made.value
    const patient = patients[0] as Patient
    ledger.created("clients", client.id, a.name, domainFields("clients", client), label)
    ledger.created("patients", patient.id, a.name, domainFields("patients", patient), label)
    const id = f.collection === "clients" ? client.id : patient.id
    try {
      await eventually(`${b.name} to receive ${f.collection}/${id} from ${a.name}`, async () => {
        const card = await b.client.call("clients.get", { id: client.id })
        return card.kind === "ok" && card.value?.patients.some(p => p.id === patient.id)
      }, REACH_MS, { pollMs: 200 })
    } catch (e) {
      return void this.notes.push(`${label}: ${(e as Error).message}`)
    }
    b.proxy[f.mode]()
    try {
      const command = f.collection === "clients" ? "clients.update" : "patients.update"
      const write = async (d: DeskNode, other: string) => {
        const patch = { [f.field]: this.#values.field(f.collection, f.field), [other]: this.#values.field(f.collection, other) }
        const ans = await d.client.call(command, { id, patch })
        ledger.answer(d.name, command, label, ans, { args: { id, patch } })
        if (ans.kind === "ok" || ans.kind === "uncertain") ledger.wrote(f.collection, id, d.name, patch, label, ans.kind === "ok")
        return { ok: ans.kind === "ok", value: patch[f.field] ?? "", ans }
      }
      const [wa, wb] = await Promise.all([write(a, f.fieldA), write(b, f.fieldB)])
      if (wa.ok && wb.ok)
        ledger.designate({ collection: f.collection, id, field: f.field, values: [{ desk: a.name, value: wa.value }, { desk: b.name, value: wb.value }] })
      else this.notes.push(`${label}: designated edit not acknowledged: ${JSON.stringify([wa.ans, wb.ans])}`)
      await delay(f.holdMs)
    } finally {
      b.proxy.heal()
    }
  }
}
