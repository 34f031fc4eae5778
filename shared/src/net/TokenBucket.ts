/**
 * A token bucket: up to `burst` tokens, refilled at `perSecond`. take() spends one token
 * and says whether there was one. `now` is injectable for tests.
 */
export class TokenBucket {
  readonly burst: number
  readonly perSecond: number
  readonly #now: () => number
  #tokens: number
  #at: number

  constructor(burst: number, perSecond: number, now: () => number = () => performance.now()) {
    if (!(burst >= 1) || !(perSecond >= 0)) throw new Error("TokenBucket needs burst >= 1 and perSecond >= 0")
    this.burst = burst
    this.perSecond = perSecond
    this.#now = now
    this.#tokens = burst
    this.#at = now()
  }

  take(): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.perSecond)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
