import type pg from "pg"
import { leaseOf, releaseLeases, renewLeases, takeLease, type LeaseRole, type LeaseRow } from "./leaseQueries.js"

/** A line of the holder's log (the shape of @vetsync/shared's LineLog, which db does not import). */
export type LeaseLog = (line: string, fields?: { level?: "info" | "warn" | "error"; clinic?: string }) => void

export interface ClinicLeasesOptions {
  pool: pg.Pool
  /** who takes these leases: relays and bridges each share the clinics out among themselves */
  role: LeaseRole
  /** this holder's id (a relay's VETSYNC_RELAY_ID, a bridge's VETSYNC_BRIDGE_ID) */
  holder: string
  /** where others send a clinic's peers: a relay's address for desks (VETSYNC_RELAY_URL); a bridge's is informative */
  holderUrl: string
  /** a lease's length (relays: RELAY_LEASE_MS or VETSYNC_LEASE_MS; bridges: BRIDGE_LEASE_MS, in @vetsync/shared/net's failoverTiming) */
  ttlMs: number
  /** how often held leases are renewed: well under ttlMs, so a live holder survives a stall of ttlMs - renewMs (tests stall it with a renewMs above ttlMs) */
  renewMs: number
  /** a clinic whose lease this holder lost (another took it, or it could not renew in time) */
  onLost: (clinicId: string) => void
  log?: LeaseLog
}

/** A clinic: held here (`fresh`: the lease was just taken), or held by another holder of the role. */
export type LeaseAnswer = { held: true; fresh: boolean } | { held: false; holder: string; url: string }

/**
 * The leases of the clinics one holder of a role serves (a relay: the clinics whose desks it
 * serves; a bridge: the clinics it projects), held in PostgreSQL (clinic_leases, migrations 0020,
 * 0021) with PostgreSQL's clock: taken when asked (a relay: when a desk of a clinic connects; a
 * bridge: ClinicShare's plan), if nobody of the role holds it or its lease expired, renewed every
 * renewMs, released on a clean stop or when given back. A clinic whose renewal did not come back,
 * or came back without it, before its lease ran out (by the holder's own clock, counted from
 * before the statement was sent) is lost: `onLost` drops it here. A dead holder's clinics can be
 * taken ttlMs after its last renewal.
 */
export class ClinicLeases {
  readonly role: LeaseRole
  readonly holder: string
  readonly holderUrl: string
  readonly ttlMs: number
  readonly #o: ClinicLeasesOptions
  /** clinic -> performance.now() until which the lease is surely this holder's */
  readonly #held = new Map<string, number>()
  readonly #taking = new Map<string, Promise<LeaseAnswer>>()
  #timer: ReturnType<typeof setInterval> | undefined
  #renewing: Promise<void> | undefined
  #stopped = false
  /** rounds of renewals done (answered, or with nothing to renew) since the start */
  renewals = 0

  constructor(o: ClinicLeasesOptions) {
    this.#o = o
    this.role = o.role
    this.holder = o.holder
    this.holderUrl = o.holderUrl
    this.ttlMs = o.ttlMs
  }

  /** Renews the held leases every renewMs from now on. */
  start(): void {
    if (this.#timer || this.#stopped) return
    this.#timer = setInterval(() => void this.renew(), this.#o.renewMs)
    this.#timer.unref()
  }

  /** The clinics whose leases this holder holds now. */
  get held(): string[] {
    const now = performance.now()
    return [...this.#held].filter(([, until]) => until > now).map(([clinic]) => clinic)
  }

  holds(clinicId: string): boolean {
    return (this.#held.get(clinicId) ?? 0) > performance.now()
  }

  /** Takes the clinic's lease (or keeps it), or answers who holds it. */
  acquire(clinicId: string): Promise<LeaseAnswer> {
    if (this.#stopped) return Promise.reject(new Error(`the ${this.role}'s leases are stopped`))
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
    return leaseOf(this.#o.pool, this.role, clinicId, this.holder)
  }

  /** One round of renewals now (the timer's); resolves when the answer is in. */
  renew(): Promise<void> {
    return (this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined)))
  }

  /**
   * Gives the clinic's lease back (the caller stopped working on it first): another holder of the
   * role may take it at once. Not `onLost`: the caller knows.
   */
  async release(clinicId: string): Promise<void> {
    await this.#taking.get(clinicId)?.catch(() => undefined)
    if (!this.#held.delete(clinicId)) return
    await releaseLeases(this.#o.pool, this.role, [clinicId], this.holder)
    this.#o.log?.(`gave back the lease of clinic ${clinicId}`, { clinic: clinicId })
  }

  /** Stops renewing and releases every held lease (a clean stop: other holders take them at once). */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.halt()
    await this.#renewing?.catch(() => undefined)
    await Promise.allSettled([...this.#taking.values()])
    const clinics = [...this.#held.keys()]
    this.#held.clear()
    if (clinics.length > 0)
      await releaseLeases(this.#o.pool, this.role, clinics, this.holder).catch(e =>
        this.#o.log?.(`releasing the leases of ${clinics.join(", ")} failed: ${(e as Error).message}`, {
          level: "warn",
        }),
      )
  }

  /** Stops renewing without releasing anything, as a holder that died would. */
  halt(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #take(clinicId: string): Promise<LeaseAnswer> {
    for (let attempt = 0; ; attempt++) {
      const sent = performance.now()
      const row = await takeLease(this.#o.pool, this.role, clinicId, this.holder, this.holderUrl, this.ttlMs)
      if (row?.mine) {
        if (this.#stopped) {
          await releaseLeases(this.#o.pool, this.role, [clinicId], this.holder)
          throw new Error(`the ${this.role}'s leases are stopped`)
        }
        const fresh = !this.#held.has(clinicId)
        this.#held.set(clinicId, sent + this.ttlMs)
        if (fresh) this.#o.log?.(`took the lease of clinic ${clinicId}`, { clinic: clinicId })
        return { held: true, fresh }
      }
      if (row) return { held: false, holder: row.holder, url: row.holderUrl }
      // another holder took it between the statement's insert and its read: ask once more
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
      renewed = await renewLeases(this.#o.pool, this.role, clinics, this.holder, this.ttlMs)
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
