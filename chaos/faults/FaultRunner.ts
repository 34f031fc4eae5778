import { appendFileSync } from "node:fs"
import { setTimeout as delay } from "node:timers/promises"
import type { Patient } from "@vetsync/shared"
import { Rng } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import type { Cluster, DeskNode } from "../Cluster.js"
import { domainFields } from "../fields.js"
import type { Ledger } from "../Ledger.js"
import { Values } from "../workload/values.js"
import type { DeskHolds } from "../workload/DeskHolds.js"
import type { CutMode, DesignatedEdit, Fault, FaultSchedule, RelayOutage } from "./FaultSchedule.js"
import { replaceDesk } from "./replaceDesk.js"

export interface FaultRunnerDeps {
  cluster: Cluster
  ledger: Ledger
  schedule: FaultSchedule
  seed: number
  journalFile: string
  log: (line: string) => void
  /** the receptionists' holds: a desk is replaced between two of its ops */
  holds: DeskHolds
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
  /** each LAN partition: its groups, and what the desks said of the LAN and the relay at its hold's end */
  readonly partitions: string[] = []
  /** each desk replaced: by which desk, and where the new one took its read model from */
  readonly replacements: string[] = []
  readonly #values: Values
  #episodes = 0
  /** run() has returned: no episode is under way any more */
  finished = false

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
    this.finished = true
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
      case "desk.replace": {
        const line = await replaceDesk(c, this.deps.holds, f, `desk.replace#${this.#episodes}`)
        this.deps.log(line)
        return void this.replacements.push(line)
      }
      case "desk.cut": {
        this.#cut(f.desk, f.mode)
        await delay(f.holdMs)
        return this.#heal(f.desk)
      }
      case "pileup": {
        const t0 = Date.now()
        this.#cut(f.desk, f.mode)
        await delay(f.holdMs / 3)
        await c.relay.kill9()
        await delay(f.relayDownMs)
        await c.startRelay()
        await this.#desk(f.killDesk).proc.kill9()
        await delay(f.deskDownMs)
        await c.startDesk(f.killDesk)
        await delay(Math.max(0, f.holdMs - (Date.now() - t0)))
        return this.#heal(f.desk)
      }
      case "conflict":
        return this.#designated(`conflict#${this.#episodes}`, f, {
          split: () => this.#cut(f.b, f.mode),
          hold: () => delay(f.holdMs),
          heal: () => this.#heal(f.b),
        })
      case "lan.partition":
        return this.#partition(f)
    }
  }

  /** Desk i cut off: from the relay, and from every other desk on the LAN. */
  #cut(i: number, mode: CutMode): void {
    this.#desk(i).proxy[mode]()
    this.deps.cluster.lan?.isolate(i, mode)
  }

  #heal(i: number): void {
    this.#desk(i).proxy.heal()
    for (const l of this.deps.cluster.lan?.linksOf(i) ?? []) l.proxy.heal()
  }

  /** No desk reaches the relay; the desks of each group see each other over the LAN (see Fault "lan.partition"). */
  async #partition(f: Extract<Fault, { kind: "lan.partition" }>): Promise<void> {
    const c = this.deps.cluster
    const n = this.#episodes
    if (!c.lan) this.notes.push(`lan.partition#${n}: the cluster has no LAN: every desk was alone`)
    let outage: Promise<void> | undefined
    const split = (): void => {
      for (const d of c.desks) d.proxy[f.mode]()
      c.lan?.partition(f.groups, f.mode)
      if (f.relay) outage = this.#relayOutage(f.relay)
    }
    const hold = async (): Promise<void> => {
      await delay(f.holdMs)
      const relay = f.relay ? `, the relay down from ${(f.relay.atMs / 1000).toFixed(1)} s for ${(f.relay.downMs / 1000).toFixed(1)} s` : ""
      this.partitions.push(`#${n} ${f.groups.map(g => `{${g.map(i => this.#desk(i).name).join(",")}}`).join(" | ")} ${f.mode} ${(f.holdMs / 1000).toFixed(1)} s${relay}${f.edit ? ` with an edit across it (${this.#desk(f.edit.a).name}, ${this.#desk(f.edit.b).name})` : ""}: ${await this.#lanView()}`)
    }
    const heal = (): void => {
      for (const d of c.desks) d.proxy.heal()
      c.lan?.heal()
    }
    try {
      if (f.edit) return await this.#designated(`lan.partition#${n}`, f.edit, { split, hold, heal })
      split()
      try {
        await hold()
      } finally {
        heal()
      }
    } finally {
      // the relay's outage may outlast the partition: the episode ends with the relay back
      await outage
    }
  }

  /** The relay killed -9 during a LAN partition, started again `downMs` later (after the heal, maybe). */
  async #relayOutage(o: RelayOutage): Promise<void> {
    const c = this.deps.cluster
    await delay(o.atMs)
    await c.relay.kill9()
    await delay(o.downMs)
    await c.startRelay()
  }

  /** What each desk says of its LAN peers and the relay now, beside what the links let it see. */
  async #lanView(): Promise<string> {
    const c = this.deps.cluster
    const parts: string[] = []
    for (const d of c.desks) {
      const st = await d.client.call("status", undefined)
      const saw = st.kind === "ok" ? `${st.value.lanPeers} LAN peers${st.value.online ? ", online" : ""}` : st.kind
      parts.push(`${d.name} ${saw} (links ${c.lan?.reachable(d.index) ?? 0})`)
    }
    return parts.join("; ")
  }

  /**
   * A designated concurrent same-field edit on desks a and b: a makes the record, b receives it,
   * `split` keeps a and b apart, both write at once, `hold`, then `heal`.
   */
  async #designated(label: string, f: DesignatedEdit, how: { split: () => void; hold: () => Promise<void>; heal: () => void }): Promise<void> {
    const { ledger } = this.deps
    const a = this.#desk(f.a)
    const b = this.#desk(f.b)
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
    how.split()
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
      await how.hold()
    } finally {
      how.heal()
    }
  }
}
