import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks"

/** A time the event loop did not run timers: when it ended (Date.now()) and how long. */
export interface Stall {
  /** Date.now() when the loop came back */
  end: number
  ms: number
}

/** Event-loop delay of a process: percentiles (ms) and the stalls over the threshold. */
export interface LoopSummary {
  p50: number
  p99: number
  max: number
  stalls: Stall[]
}

/**
 * Watches this process's event loop: perf_hooks' delay histogram (10 ms resolution) and a timer
 * every `tickMs` whose lateness beyond `thresholdMs` is recorded as a stall with its end time, so
 * a slow edit can be set against the stalls of the process that delayed it.
 */
export class LoopStalls {
  readonly stalls: Stall[] = []
  readonly #h: IntervalHistogram
  readonly #timer: NodeJS.Timeout
  #last = performance.now()

  constructor(
    readonly thresholdMs = 100,
    tickMs = 20,
    onStall: (s: Stall) => void = () => undefined,
  ) {
    this.#h = monitorEventLoopDelay({ resolution: 10 })
    this.#h.enable()
    this.#timer = setInterval(() => {
      const now = performance.now()
      const late = now - this.#last - tickMs
      this.#last = now
      if (late < thresholdMs) return
      const s = { end: Date.now(), ms: Math.round(late) }
      this.stalls.push(s)
      onStall(s)
    }, tickMs)
    this.#timer.unref()
  }

  /** Starts the histogram and the stall list over (the measured phase begins). */
  reset(): void {
    this.#h.reset()
    this.stalls.length = 0
  }

  summary(): LoopSummary {
    const ms = (ns: number): number => Math.round(ns / 1e6)
    return { p50: ms(this.#h.percentile(50)), p99: ms(this.#h.percentile(99)), max: ms(this.#h.max), stalls: [...this.stalls] }
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#h.disable()
  }
}
