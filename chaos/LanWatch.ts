import { appendFileSync } from "node:fs"
import { setTimeout as delay } from "node:timers/promises"
import type { Cluster } from "./Cluster.js"

/** How often each desk's status is asked. */
const EVERY_MS = 2_000
/** Changes kept per desk for the report (all of them go to the journal). */
const SHOWN = 40

/**
 * The desks' LAN peers over the chaos (issue 15): every 2 s each desk's status (`lanPeers`,
 * `online`); each change goes to `<run dir>/lan.jsonl` and to a per-desk line of the report.
 * Never fails the run: a desk that does not answer is left out of that round.
 */
export class LanWatch {
  readonly #cluster: Cluster
  readonly #journal: string
  readonly #t0 = Date.now()
  readonly #last = new Map<string, string>()
  readonly #changes = new Map<string, string[]>()

  constructor(cluster: Cluster, journalFile: string) {
    this.#cluster = cluster
    this.#journal = journalFile
  }

  async run(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      await this.take()
      await delay(EVERY_MS)
    }
  }

  /** One round: each desk's LAN peers and relay connection, kept when they changed. */
  async take(): Promise<void> {
    for (const d of this.#cluster.desks) {
      const st = await d.client.call("status", undefined)
      if (st.kind !== "ok") continue
      const now = `${st.value.lanPeers}${st.value.online ? "" : " offline"}`
      if (this.#last.get(d.name) === now) continue
      this.#last.set(d.name, now)
      const at = (Date.now() - this.#t0) / 1000
      appendFileSync(this.#journal, `${JSON.stringify({ at: new Date().toISOString(), desk: d.name, lanPeers: st.value.lanPeers, online: st.value.online })}\n`)
      const list = this.#changes.get(d.name) ?? []
      list.push(`${now}@${at.toFixed(0)}s`)
      this.#changes.set(d.name, list)
    }
  }

  /** Per desk: "desk-1: 2@0s 1 offline@35s 2@50s ..." (LAN peers, "offline" while the relay is not reached). */
  lines(): string[] {
    return [...this.#changes.entries()].map(
      ([desk, list]) => `${desk}: ${list.slice(0, SHOWN).join(" ")}${list.length > SHOWN ? ` ... (${list.length - SHOWN} more in lan.jsonl)` : ""}`,
    )
  }
}
