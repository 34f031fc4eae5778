import { Serial } from "./Serial.js"

/**
 * The bridge's work, clinic by clinic: each clinic's tasks run one at a time in the order asked
 * (a document's projection never overlaps the change-log consumer writing into the same clinic's
 * documents, nor a publication), different clinics' tasks in parallel, at most `workers` tasks at
 * once across all clinics. A task holds a worker only while it runs, never while it waits.
 */
export class ClinicWork {
  readonly workers: number
  readonly #serials = new Map<string, Serial>()
  readonly #waiting: (() => void)[] = []
  #active = 0
  /** the most tasks that ran at once since the start */
  peak = 0

  constructor(workers: number) {
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a whole number from 1: ${workers}`)
    this.workers = workers
  }

  get busy(): boolean {
    return [...this.#serials.values()].some(s => s.busy)
  }

  /** Clinics with tasks queued or running. */
  get clinicsBusy(): string[] {
    return [...this.#serials].filter(([, s]) => s.busy).map(([c]) => c)
  }

  run<T>(clinicId: string, fn: () => Promise<T>): Promise<T> {
    return this.#serial(clinicId).run(() => this.#limited(fn))
  }

  /** Like run, but coalesces a clinic's calls with the same key that are still waiting to start. */
  once(clinicId: string, key: string, fn: () => Promise<unknown>): Promise<unknown> {
    return this.#serial(clinicId).once(key, () => this.#limited(fn))
  }

  /** Resolves when everything queued so far (for one clinic, or for all) has run. */
  async idle(clinicId?: string): Promise<void> {
    if (clinicId !== undefined) return this.#serials.get(clinicId)?.idle()
    while (this.busy) await Promise.all([...this.#serials.values()].map(s => s.idle()))
  }

  #serial(clinicId: string): Serial {
    let s = this.#serials.get(clinicId)
    if (!s) this.#serials.set(clinicId, (s = new Serial()))
    return s
  }

  async #limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.workers) await new Promise<void>(resolve => this.#waiting.push(resolve))
    else this.#active++
    this.peak = Math.max(this.peak, this.#active)
    try {
      return await fn()
    } finally {
      // hand the worker straight to the next task waiting, or free it
      const next = this.#waiting.shift()
      if (next) next()
      else this.#active--
    }
  }
}
