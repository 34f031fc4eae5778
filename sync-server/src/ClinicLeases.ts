import type pg from "pg"
import type { LineLog } from "@vetsync/shared/log"
import { leaseOf, releaseLeases, renewLeases, takeLease, type LeaseRow } from "./leaseQueries.js"

export interface ClinicLeasesOptions {
  pool: pg.Pool
  /** this relay's id (VETSYNC_RELAY_ID) */
  relayId: string
  /** the address desks use to reach this relay (VETSYNC_RELAY_URL): where other relays send them */
  relayUrl: string
  /** a lease's length; default 6 s */
  ttlMs?: number
  /** how often held leases are renewed; default 2 s */
  renewMs?: number
  /** a clinic whose lease this relay lost (another relay took it, or it could not renew in time) */
  onLost: (clinicId: string) => void
  log?: LineLog
}

/** A desk's clinic: served here (`fresh`: the lease was just taken), or held by another relay. */
export type LeaseAnswer = { held: true; fresh: boolean } | { held: false; holder: string; url: string }

/**
 * The leases of the clinics this relay serves, held in PostgreSQL (clinic_leases, migration 0020)
 * with PostgreSQL's clock: taken when a desk of a clinic connects (if nobody holds it or its lease
 * expired), renewed every renewMs, released on a clean stop. A clinic whose renewal did not come
 * back, or came back without it, before its lease ran out (by this relay's own clock, counted from
 * before the statement was sent) is lost: `onLost` drops it here. A dead relay's clinics can be
 * taken ttlMs after its last renewal.
 */
export class ClinicLeases {
  readonly relayId: string
  readonly relayUrl: string
  readonly ttlMs: number
  readonly #o: ClinicLeasesOptions
  /** clinic -> performance.now() until which the lease is surely this relay's */
  readonly #held = new Map<string, number>()
  readonly #taking = new Map<string, Promise<LeaseAnswer>>()
  #timer: ReturnType<typeof setInterval> | undefined
  #renewing: Promise<void> | undefined
  #stopped = false
  /** rounds of renewals done (answered, or with nothing to renew) since the start */
  renewals = 0

  constructor(o: ClinicLeasesOptions) {
    this.#o = o
    this.relayId = o.relayId
    this.relayUrl = o.relayUrl
    this.ttlMs = o.ttlMs ?? 6_000
  }

  /** Renews the held leases every renewMs from now on. */
  start(): void {
    if (this.#timer || this.#stopped) return
    this.#timer = setInterval(() => void this.renew(), this.#o.renewMs ?? 2_000)
    this.#timer.unref()
  }

  /** The clinics whose leases this relay holds now. */
  get held(): string[] {
    const now = performance.now()
    return [...this.#held].filter(([, until]) => until > now).map(([clinic]) => clinic)
  }

  holds(clinicId: string): boolean {
    return (this.#held.get(clinicId) ?? 0) > performance.now()
  }

  /** Takes the clinic's lease (or keeps it), or answers which relay holds it. */
  acquire(clinicId: string): Promise<LeaseAnswer> {
    if (this.#stopped) return Promise.reject(new Error("the relay's leases are stopped"))
    if (this.holds(clinicId)) return Promise.resolve({ held: true, fresh: false })
    let taking = this.#taking.get(clinicId)
    if (!taking) {
      taking = this.#take(clinicId).finally(() => this.#taking.delete(clinicId))
      this.#taking.set(clinicId, taking)
    }
    return taking
  }

  /** The clinic's lease as PostgreSQL has it now. */
  lease(clinicId: string): Promise<LeaseRow | undefined> {
    return leaseOf(this.#o.pool, clinicId, this.relayId)
  }

  /** One round of renewals now (the timer's); resolves when the answer is in. */
  renew(): Promise<void> {
    return (this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined)))
  }

  /** Stops renewing and releases every held lease (a clean stop: other relays take them at once). */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.halt()
    await this.#renewing?.catch(() => undefined)
    await Promise.allSettled([...this.#taking.values()])
    const clinics = [...this.#held.keys()]
    this.#held.clear()
    if (clinics.length > 0)
      await releaseLeases(this.#o.pool, clinics, this.relayId).catch(e =>
        this.#o.log?.(`releasing the leases of ${clinics.join(", ")} failed: ${(e as Error).message}`, {
          level: "warn",
        }),
      )
  }

  /** Stops renewing without releasing anything, as a relay that died would. */
  halt(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #take(clinicId: string): Promise<LeaseAnswer> {
    for (let attempt = 0; ; attempt++) {
      const sent = performance.now()
      const row = await takeLease(this.#o.pool, clinicId, this.relayId, this.relayUrl, this.ttlMs)
      if (row?.mine) {
        if (this.#stopped) {
          await releaseLeases(this.#o.pool, [clinicId], this.relayId)
          throw new Error("the relay's leases are stopped")
        }
        const fresh = !this.#held.has(clinicId)
        this.#held.set(clinicId, sent + this.ttlMs)
        if (fresh) this.#o.log?.(`took the lease of clinic ${clinicId}`, { clinic: clinicId })
        return { held: true, fresh }
      }
      if (row) return { held: false, holder: row.holder, url: row.holderUrl }
      // another relay took it between the statement's insert and its read: ask once more
      if (attempt >= 3) throw new Error(`the lease of clinic ${clinicId} is changing hands`)
    }
  }

  async #renew(): Promise<void> {
    const clinics = [...this.#held.keys()]
    if (this.#stopped) return
    if (clinics.length === 0) {
      this.renewals++
      return
    }
    const sent = performance.now()
    let renewed: Set<string> | undefined
    try {
      renewed = await renewLeases(this.#o.pool, clinics, this.relayId, this.ttlMs)
    } catch (e) {
      this.#o.log?.(`renewing leases failed: ${(e as Error).message}`, { level: "warn" })
    }
    if (this.#stopped) return
    if (renewed) this.renewals++
    const now = performance.now()
    for (const clinic of clinics) {
      const until = this.#held.get(clinic)
      if (until === undefined) continue
      if (renewed?.has(clinic)) this.#held.set(clinic, sent + this.ttlMs)
      else if (renewed !== undefined || until <= now) this.#lose(clinic)
    }
  }

  #lose(clinicId: string): void {
    this.#held.delete(clinicId)
    this.#o.log?.(`lost the lease of clinic ${clinicId}: dropping it`, { level: "warn", clinic: clinicId })
    this.#o.onLost(clinicId)
  }
}
