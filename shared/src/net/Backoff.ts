export interface BackoffOptions {
  /** first delay, default 250 ms */
  minMs?: number
  /** ceiling, default 30 s */
  maxMs?: number
  /** growth per attempt, default 2 */
  factor?: number
  /** fraction of the delay that is random, 0..1, default 0.5 */
  jitter?: number
  /** source of randomness in [0, 1), default Math.random */
  random?: () => number
}

/**
 * Exponential back-off with jitter: attempt n waits base(n) * (1 - jitter + jitter * r),
 * base(n) = min(maxMs, minMs * factor^n). With factor 2 and jitter <= 0.5 the delays never
 * shrink from one attempt to the next until the ceiling is reached (then they vary in
 * [maxMs * (1 - jitter), maxMs]). reset() after a successful connection.
 */
export class Backoff {
  readonly minMs: number
  readonly maxMs: number
  readonly factor: number
  readonly jitter: number
  readonly #random: () => number
  #attempt = 0

  constructor(options: BackoffOptions = {}) {
    this.minMs = options.minMs ?? 250
    this.maxMs = options.maxMs ?? 30_000
    this.factor = options.factor ?? 2
    this.jitter = clamp01(options.jitter ?? 0.5)
    this.#random = options.random ?? Math.random
  }

  get attempt(): number {
    return this.#attempt
  }

  /**
   * The delay before the next attempt; advances the attempt counter. `capMs` lowers the ceiling
   * for this one delay (never raises it above maxMs), `jitter` replaces the configured one for it
   * (1: full jitter, anywhere in [0, base]).
   */
  next(capMs = this.maxMs, jitter = this.jitter): number {
    const base = Math.min(capMs, this.maxMs, this.minMs * this.factor ** this.#attempt)
    this.#attempt++
    const j = clamp01(jitter)
    return Math.round(base * (1 - j + j * clamp01(this.#random())))
  }

  reset(): void {
    this.#attempt = 0
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x))
