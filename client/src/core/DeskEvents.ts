import type { DeskEvent, DeskStatus } from "./api.js"
import { rootLogger } from "@vetsync/shared/log"

/** a burst of status changes is pushed as one status event this long after the first */
const STATUS_DEBOUNCE_MS = 20

/**
 * The events a desk pushes to its UI: records changed, the profile changed, and its status -
 * debounced, read when the event goes out. A listener that throws is logged; the others still run.
 */
export class DeskEvents {
  readonly #listeners = new Set<(e: DeskEvent) => void>()
  readonly #status: () => DeskStatus
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false

  constructor(status: () => DeskStatus) {
    this.#status = status
  }

  on(listener: (e: DeskEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(e: DeskEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e)
      } catch (err) {
        rootLogger().error({ err }, "event listener failed")
      }
    }
  }

  /** The status may have changed: a status event follows shortly (one for a burst). */
  statusChanged(): void {
    if (this.#timer || this.#closed) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.emit({ type: "status", status: this.#status() })
    }, STATUS_DEBOUNCE_MS)
  }

  /** No status event after this (a pending one is dropped); emit still reaches the listeners. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
  }
}
