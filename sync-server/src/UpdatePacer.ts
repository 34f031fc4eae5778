/** Runs a unit of work and tells the pacer how long it took (the wait for a queue left out). */
export type Measure = <U>(work: () => Promise<U>) => Promise<U>

export interface UpdatePacerOptions {
  /**
   * the share of time the paced work may take, between 0 (exclusive) and 1: after work that took
   * d ms, the next waits d × (1 − share) / share ms
   */
  share: number
  /** the longest pause after one piece of work, default 30 s (an unusually slow one does not stall the rest for long) */
  maxPauseMs?: number
  now?: () => number
}

/**
 * Keeps recurring background work - the relay's snapshot updates under a steady stream of edits -
 * to a share of the time: one piece of work at a time, each started only after a pause in
 * proportion to how long the one before it took. What changes meanwhile is taken together by the
 * next piece (a snapshot update reads every document marked until it starts), so under load the
 * work is coalesced instead of falling behind. Work that is cheap (small documents) runs almost
 * at once; work that costs O(document) - a seed-scale shard saved, converted and compressed again
 * for every burst of edits - can no longer hold a core for good.
 */
export class UpdatePacer {
  readonly share: number
  readonly #maxPauseMs: number
  readonly #now: () => number
  #nextAt = 0
  #chain: Promise<unknown> = Promise.resolve()
  #timers = new Set<ReturnType<typeof setTimeout>>()
  #wake = new Set<() => void>()
  #closed = false
  /** milliseconds of paced work so far */
  workedMs = 0
  /** milliseconds spent waiting for a turn so far */
  pausedMs = 0

  constructor(o: UpdatePacerOptions) {
    if (!(o.share > 0 && o.share <= 1)) throw new Error(`a pacer's share is above 0 and at most 1, not ${o.share}`)
    this.share = o.share
    this.#maxPauseMs = o.maxPauseMs ?? 30_000
    this.#now = o.now ?? (() => performance.now())
  }

  /**
   * Runs `task` when its turn comes: after the tasks before it, and after the pause the last one's
   * measured work earned. The task wraps its work in `measure`; what it awaits outside it (a queue)
   * does not count. After close() waiting tasks run at once (they see the closing themselves).
   */
  run<T>(task: (measure: Measure) => Promise<T>): Promise<T> {
    const result = this.#chain.then(() => this.#turn()).then(() => task(work => this.#measure(work)))
    this.#chain = result.catch(() => undefined)
    return result
  }

  /** Ends every pause now (the relay is closing). */
  close(): void {
    this.#closed = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    for (const w of this.#wake) w()
    this.#wake.clear()
  }

  async #turn(): Promise<void> {
    const wait = this.#nextAt - this.#now()
    if (wait <= 0 || this.#closed) return
    const t0 = this.#now()
    await new Promise<void>(resolve => {
      const wake = (): void => {
        this.#timers.delete(timer)
        this.#wake.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, wait)
      timer.unref()
      this.#timers.add(timer)
      this.#wake.add(wake)
    })
    this.pausedMs += this.#now() - t0
  }

  async #measure<U>(work: () => Promise<U>): Promise<U> {
    const t0 = this.#now()
    try {
      return await work()
    } finally {
      const end = this.#now()
      const took = end - t0
      this.workedMs += took
      this.#nextAt = end + Math.min(this.#maxPauseMs, (took * (1 - this.share)) / this.share)
    }
  }
}
