/**
 * Detects a connection that went silent without closing (Wi-Fi gone, relay frozen): after
 * `idleMs` without traffic it probes (a WebSocket ping) and, when still nothing arrived
 * `graceMs` later, expires. Probing first keeps a desk whose event loop was busy (applying
 * a large sync message) from dropping a healthy connection: the grace timer is scheduled
 * only after the busy period, so the pending pong is read before it fires.
 */
export class Watchdog {
  readonly idleMs: number
  readonly graceMs: number
  readonly #probe: () => void
  readonly #expire: () => void
  #timer: NodeJS.Timeout | undefined

  constructor(idleMs: number, graceMs: number, probe: () => void, expire: () => void) {
    this.idleMs = idleMs
    this.graceMs = graceMs
    this.#probe = probe
    this.#expire = expire
  }

  /** Traffic arrived (or the connection opened): start waiting again. */
  arm(): void {
    this.stop()
    this.#timer = setTimeout(() => {
      this.#probe()
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        this.#expire()
      }, this.graceMs)
      this.#timer.unref()
    }, this.idleMs)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
