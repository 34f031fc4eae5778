/** What a queue tells its observer: a task began (after waiting its turn) or ended. */
export type BuildEvent = { phase: "started" | "finished"; name: string; running: number; waiting: number }

/**
 * A bounded pool of asynchronous tasks: at most `limit` run at once, the others wait in one queue
 * and start in the order they came, each as soon as a running one ends (fails included). The relay
 * builds clinics' snapshots through one: each build holds documents in memory, so twenty clinics
 * building at once would ask for twenty times the memory.
 */
export class BuildQueue {
  readonly limit: number
  readonly #observe: (e: BuildEvent) => void
  readonly #waiting: (() => void)[] = []
  #running = 0

  constructor(limit: number, observe: (e: BuildEvent) => void = () => undefined) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a queue runs at least one task at a time, not ${limit}`)
    this.limit = limit
    this.#observe = observe
  }

  /** tasks running now */
  get running(): number {
    return this.#running
  }

  /** tasks waiting for their turn */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Runs the task when its turn comes; resolves or rejects as the task does. */
  async run<T>(name: string, task: () => Promise<T>): Promise<T> {
    // a slot is handed from the task that ends to the next one waiting: `running` stays counted
    if (this.#running >= this.limit) await new Promise<void>(resolve => this.#waiting.push(resolve))
    else this.#running++
    this.#observe({ phase: "started", name, running: this.#running, waiting: this.#waiting.length })
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      if (!next) this.#running--
      this.#observe({ phase: "finished", name, running: next ? this.#running - 1 : this.#running, waiting: this.#waiting.length })
      next?.()
    }
  }
}
