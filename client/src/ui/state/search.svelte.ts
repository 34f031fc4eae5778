import { tick } from "svelte"
import type { ClientSearchHit } from "../../core/api.js"
import type { DeskClient } from "../api/client.js"

declare global {
  interface Window {
    /** keystroke-to-render times of client search, ms (for a look from the browser console) */
    __vetsyncSearchTimings?: number[]
  }
}

/** Search-as-you-type over the local read model; stale answers are dropped. */
export class ClientSearchState {
  query = $state("")
  hits = $state<ClientSearchHit[]>([])
  /** the query the shown hits answer */
  shownQuery = $state("")
  error = $state<string | null>(null)
  private seq = 0

  constructor(
    private readonly api: DeskClient,
    readonly limit = 50,
  ) {}

  /** `startedAt` is the input event's timeStamp (performance.now() clock) */
  async input(query: string, startedAt = performance.now()): Promise<void> {
    this.query = query
    await this.run(startedAt)
  }

  async refresh(): Promise<void> {
    await this.run(performance.now(), false)
  }

  private async run(startedAt: number, measure = true): Promise<void> {
    const seq = ++this.seq
    const query = this.query
    if (query.trim() === "") {
      this.hits = []
      this.shownQuery = ""
      return
    }
    try {
      const hits = await this.api.call("clients.search", { query, limit: this.limit })
      if (seq !== this.seq) return
      this.hits = hits
      this.shownQuery = query
      this.error = null
      await tick()
      if (measure && typeof window !== "undefined") (window.__vetsyncSearchTimings ??= []).push(performance.now() - startedAt)
    } catch (e) {
      if (seq === this.seq) this.error = e instanceof Error ? e.message : String(e)
    }
  }
}
