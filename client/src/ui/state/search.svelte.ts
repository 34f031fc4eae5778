import { tick } from "svelte"
import type { ClientSearchHit } from "../../core/api.js"
import type { DeskClient } from "../api/client.js"

declare global {
  interface Window {
    /** keystroke-to-render times of client search, ms (for a look from the browser console) */
    __vetsyncSearchTimings?: number[]
  }
}

/**
 * Search-as-you-type over the local read model; stale answers are dropped. Keeps the page of
 * hits, how many clients match in all, and the hit the arrow keys are on (-1: none yet).
 */
export class ClientSearchState {
  query = $state("")
  hits = $state<ClientSearchHit[]>([])
  /** every client that matches the shown query, not just the page */
  total = $state(0)
  /** the query the shown hits answer */
  shownQuery = $state("")
  /** the hit the arrow keys are on, -1 for none */
  active = $state(-1)
  error = $state<string | null>(null)
  private seq = 0

  constructor(
    private readonly api: DeskClient,
    readonly limit = 50,
  ) {}

  /** more clients match than the page shows: staff should type more */
  get partial(): boolean {
    return this.total > this.hits.length
  }

  /** `startedAt` is the input event's timeStamp (performance.now() clock) */
  async input(query: string, startedAt = performance.now()): Promise<void> {
    this.query = query
    await this.run(startedAt)
  }

  async refresh(): Promise<void> {
    await this.run(performance.now(), false)
  }

  /** Esc: an empty box and no hits */
  clear(): void {
    void this.input("")
  }

  /** ArrowDown/ArrowUp: the next or previous hit, wrapping round; from none, the first or the last */
  move(step: 1 | -1): void {
    const n = this.hits.length
    if (n === 0) return
    this.active = this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n
  }

  /** the hit Enter picks: the one the arrows are on, else the first (an exact phone, a surname that fits) */
  chosen(): ClientSearchHit | undefined {
    return this.hits[this.active] ?? (this.shownQuery === this.query ? this.hits[0] : undefined)
  }

  private async run(startedAt: number, measure = true): Promise<void> {
    const seq = ++this.seq
    const query = this.query
    if (query.trim() === "") {
      this.hits = []
      this.total = 0
      this.active = -1
      this.shownQuery = ""
      return
    }
    try {
      const { hits, total } = await this.api.call("clients.search", { query, limit: this.limit })
      if (seq !== this.seq) return
      const keep = this.hits[this.active]?.id
      this.hits = hits
      this.total = total
      // a refresh (records changed) keeps the arrows on the same client; new words start over
      this.active = !measure && keep ? hits.findIndex(h => h.id === keep) : -1
      this.shownQuery = query
      this.error = null
      await tick()
      if (measure && typeof window !== "undefined") (window.__vetsyncSearchTimings ??= []).push(performance.now() - startedAt)
    } catch (e) {
      if (seq === this.seq) this.error = e instanceof Error ? e.message : String(e)
    }
  }
}
