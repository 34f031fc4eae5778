/** Runs tasks one at a time; a task asked for again while queued runs once. */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve()
  readonly #queued = new Map<string, Promise<unknown>>()

  #pending = 0

  get busy(): boolean {
    return this.#pending > 0
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#pending++
    const p = this.#tail.then(fn, fn).finally(() => this.#pending--)
    this.#tail = p.catch(() => undefined)
    return p
  }

  /** Like run, but coalesces calls with the same key that are still waiting to start. */
  once(key: string, fn: () => Promise<unknown>): Promise<unknown> {
    const waiting = this.#queued.get(key)
    if (waiting) return waiting
    const p = this.run(() => {
      this.#queued.delete(key)
      return fn()
    })
    this.#queued.set(key, p)
    return p
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    let t: Promise<unknown>
    do {
      t = this.#tail
      await t
    } while (t !== this.#tail)
  }
}
