import type { ConnectionEvent } from "@vetsync/shared"
import type { SyncProblem, SyncProblemCode } from "./api.js"

/** Online with records waiting and no acknowledgement for this long: the desk says so (red). */
export const STALL_MS = 30_000

export interface SyncProblemsOptions {
  /** a relay connection is open */
  online: () => boolean
  waiting: () => number
  /** why the relay refused this desk on its last connection, until a connection stays healthy */
  refused: () => string | undefined
  /** when the next connection attempt is due (epoch ms), while one is scheduled */
  nextAttemptAt: () => number | undefined
  onChange: () => void
  now?: () => number
}

/**
 * Why this desk's records are not reaching the relay, when they are not: the relay refused it
 * (and said why), it does not accept its credential, the desk could not save, or it is online
 * with records waiting and nothing acknowledged for STALL_MS. The sync indicator turns red with
 * the reason; a desk that is merely offline is not a problem (yellow).
 */
export class SyncProblems {
  readonly #o: SyncProblemsOptions
  #refusedSince: number | undefined
  #unauthorized: { detail: string; since: number } | undefined
  #saveFailed: { detail: string; since: number } | undefined
  /** since when records have been waiting without any being acknowledged (while online) */
  #waitingSince: number | undefined
  #lastWaiting = 0
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(o: SyncProblemsOptions) {
    this.#o = o
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now()
  }

  /** A relay connection changed state. */
  connection(e: ConnectionEvent): void {
    if (e.state === "open") this.#unauthorized = undefined
    else if (e.state === "closed" && e.error !== undefined && /\b(401|403)\b/.test(e.error))
      this.#unauthorized ??= { detail: e.error, since: this.#now() }
    this.#o.onChange()
  }

  saveFailed(detail: string): void {
    this.#saveFailed = { detail, since: this.#now() }
    this.#o.onChange()
  }

  saved(): void {
    if (!this.#saveFailed) return
    this.#saveFailed = undefined
    this.#o.onChange()
  }

  /** The waiting count or the connection changed: restarts or stops the stall clock. */
  progress(): void {
    const waiting = this.#o.waiting()
    const online = this.#o.online()
    if (!online || waiting === 0) this.#waitingSince = undefined
    else if (this.#waitingSince === undefined || waiting < this.#lastWaiting) this.#waitingSince = this.#now()
    this.#lastWaiting = waiting
    if (this.#waitingSince !== undefined && !this.#timer) {
      // re-evaluate while the clock runs, so the indicator turns red without another event
      this.#timer = setInterval(() => this.#o.onChange(), 5_000)
      this.#timer.unref()
    } else if (this.#waitingSince === undefined && this.#timer) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }

  /** The most pressing problem now, or null. */
  current(): SyncProblem | null {
    const at = (since: number): string => new Date(since).toISOString()
    const retryAt = this.#o.nextAttemptAt()
    const problem = (code: SyncProblemCode, detail: string, since: number): SyncProblem => ({
      code,
      detail,
      since: at(since),
      retryAt: retryAt !== undefined && !this.#o.online() ? at(retryAt) : null,
    })
    if (this.#saveFailed) return problem("save-failed", this.#saveFailed.detail, this.#saveFailed.since)
    if (this.#unauthorized && !this.#o.online())
      return problem("unauthorized", this.#unauthorized.detail, this.#unauthorized.since)
    const refused = this.#o.refused()
    if (refused === undefined) this.#refusedSince = undefined
    else return problem("refused", refused, (this.#refusedSince ??= this.#now()))
    const since = this.#waitingSince
    if (since !== undefined && this.#now() - since >= STALL_MS && this.#o.online())
      return problem(
        "stalled",
        `${this.#o.waiting()} records waiting, none acknowledged for ${Math.round((this.#now() - since) / 1000)} s`,
        since,
      )
    return null
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }
}
