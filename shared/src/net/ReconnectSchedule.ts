import { Backoff, type BackoffOptions } from "./Backoff.js"
import type { FailureKind } from "./failureKind.js"

export interface ReconnectScheduleOptions {
  /** the ordinary back-off (the relay answered): default 250 ms up to 30 s, jitter 0.5 */
  backoff?: BackoffOptions
  /** after the relay refused this peer: default 60 s up to 15 min */
  refusedBackoff?: BackoffOptions
  /**
   * ceiling of the delay after a network failure (nothing answered), with full jitter; default
   * 2 s. Never above the ordinary back-off's ceiling.
   */
  networkMaxMs?: number
  /** the shortest delay after a network failure; default 100 ms or the ordinary minMs if shorter (never above networkMaxMs) */
  networkMinMs?: number
}

export interface ScheduledRetry {
  delayMs: number
  /** 1 for the first retry after a healthy connection */
  attempt: number
  kind: FailureKind
}

/**
 * When a desk tries its relay again, by what ended the last attempt (failureKind):
 * - refused: the refused back-off (60 s .. 15 min), untouched by the other two;
 * - relay: the ordinary exponential back-off, jitter 0.5, up to its ceiling (30 s);
 * - network: the same attempt counter, but the delay drawn uniformly ("full jitter") from
 *   [networkMinMs, min(networkMaxMs, base(n))]: a desk notices the network is back within
 *   networkMaxMs, a relay that is down sees one refused TCP connect per desk about every
 *   networkMaxMs / 2, and desks that lost the relay together spread their attempts over the whole
 *   window instead of arriving in step when it comes back.
 * The relay and network kinds share one counter, so a relay that answered "overloaded" after a
 * long outage is retried at the long end of the ordinary back-off. reset() once a connection
 * stayed healthy.
 */
export class ReconnectSchedule {
  readonly #backoff: Backoff
  readonly #refused: Backoff
  readonly networkMaxMs: number
  readonly networkMinMs: number

  constructor(options: ReconnectScheduleOptions = {}) {
    this.#backoff = new Backoff(options.backoff)
    this.#refused = new Backoff({ minMs: 60_000, maxMs: 15 * 60_000, ...options.refusedBackoff })
    this.networkMaxMs = Math.min(options.networkMaxMs ?? 2_000, this.#backoff.maxMs)
    this.networkMinMs = Math.min(options.networkMinMs ?? Math.min(100, this.#backoff.minMs), this.networkMaxMs)
  }

  next(kind: FailureKind): ScheduledRetry {
    if (kind === "refused") return { delayMs: this.#refused.next(), attempt: this.#refused.attempt, kind }
    if (kind === "relay") return { delayMs: this.#backoff.next(), attempt: this.#backoff.attempt, kind }
    const delayMs = Math.max(this.networkMinMs, this.#backoff.next(this.networkMaxMs, 1))
    return { delayMs, attempt: this.#backoff.attempt, kind }
  }

  reset(): void {
    this.#backoff.reset()
    this.#refused.reset()
  }
}
