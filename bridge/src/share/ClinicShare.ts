import type pg from "pg"
import { ClinicLeases, leaveMembership, liveLeases, renewMembership } from "@vetsync/db"
import type { LineLog } from "@vetsync/shared/log"
import { BRIDGE_LEASE_MS, BRIDGE_SHARE_ROUND_MS } from "@vetsync/shared/net"
import { planShare } from "./planShare.js"

export interface ClinicShareOptions {
  pool: pg.Pool
  /** this bridge's lease holder id (VETSYNC_BRIDGE_ID) */
  holder: string
  /** informative: where this bridge answers (its operations server) */
  holderUrl?: string
  /** every clinic to be projected (the registry's) */
  clinics: () => Promise<string[]>
  /** the lease of the clinic was taken: start working on it */
  onTake: (clinicId: string) => Promise<void>
  /** stop working on the clinic (its lease is about to be given back, or was lost); resolves when stopped */
  onDrop: (clinicId: string) => Promise<void>
  /** a lease's length; default 6 s */
  ttlMs?: number
  /** how often the share is looked at and held leases renewed; default BRIDGE_SHARE_ROUND_MS, 2 s */
  renewMs?: number
  log?: LineLog
}

/**
 * A bridge's part in sharing the clinics out among the bridges on one PostgreSQL, as relays do:
 * each clinic is projected (and its server-owned documents published) by the holder of its bridge
 * lease (clinic_leases, role 'bridge': ClinicLeases, the relays' code). Every renewMs the bridge
 * says it takes part (lease_members), reads the members and the leases, and acts on planShare:
 * gives back the clinics beyond its even share (after it stopped working on them) and takes free
 * ones up to it. A bridge that dies stops renewing: ttlMs later its leases and its membership have
 * expired, and the others' next rounds take its clinics.
 */
export class ClinicShare {
  readonly leases: ClinicLeases
  readonly #o: ClinicShareOptions
  #timer: ReturnType<typeof setInterval> | undefined
  #round: Promise<void> | undefined
  #stopped = false
  /** clinic -> its onTake under way (a round does not wait for it: following a clinic takes a while) */
  readonly #taking = new Map<string, Promise<void>>()
  /** members of the share at the last round */
  members: string[] = []

  constructor(o: ClinicShareOptions) {
    this.#o = o
    this.leases = new ClinicLeases({
      pool: o.pool,
      role: "bridge",
      holder: o.holder,
      holderUrl: o.holderUrl ?? "",
      ttlMs: o.ttlMs ?? BRIDGE_LEASE_MS,
      renewMs: o.renewMs ?? BRIDGE_SHARE_ROUND_MS,
      onLost: clinicId => void this.#drop(clinicId),
      log: o.log,
    })
  }

  get holder(): string {
    return this.leases.holder
  }

  /** The clinics this bridge holds now. */
  get held(): string[] {
    return this.leases.held.sort()
  }

  holds(clinicId: string): boolean {
    return this.leases.holds(clinicId)
  }

  /** One round now (resolves once the clinics it took are worked on), then one every renewMs (and the leases renewed as often). */
  async start(): Promise<void> {
    this.leases.start()
    await this.round()
    await Promise.all(this.#taking.values())
    if (this.#stopped) return
    this.#timer = setInterval(() => void this.round(), this.#o.renewMs ?? BRIDGE_SHARE_ROUND_MS)
    this.#timer.unref()
  }

  /** Looks at the share once (e.g. a clinic was added); resolves when this round's takes and gives are done. */
  round(): Promise<void> {
    return (this.#round ??= this.#doRound()
      .catch(e => this.#o.log?.(`sharing the clinics out failed: ${(e as Error).message}`, { level: "warn" }))
      .finally(() => (this.#round = undefined)))
  }

  /** Gives every lease back (a clean stop), after the caller stopped working on them. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#round
    await Promise.all(this.#taking.values())
    await this.leases.stop()
    await leaveMembership(this.#o.pool, "bridge", this.holder).catch(() => undefined)
  }

  /** Stops without giving anything back, as a bridge that died would (tests). */
  halt(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    this.leases.halt()
  }

  async #doRound(): Promise<void> {
    if (this.#stopped) return
    const { pool } = this.#o
    const ttl = this.leases.ttlMs
    this.members = await renewMembership(pool, "bridge", this.holder, ttl)
    const [clinics, leased] = await Promise.all([this.#o.clinics(), liveLeases(pool, "bridge")])
    // a lease the table gives this holder id that this process does not hold (a restart with the
    // same VETSYNC_BRIDGE_ID): free to take again at once. One this process holds that the table
    // no longer gives it is the renewal's business (ClinicLeases: onLost).
    const holders = new Map([...leased].filter(([c, h]) => h !== this.holder || this.holds(c)))
    const plan = planShare({ me: this.holder, members: this.members, clinics, holders })
    for (const clinicId of plan.release) {
      if (this.#stopped) return
      await this.#drop(clinicId)
      await this.leases.release(clinicId)
      this.#o.log?.(`gave clinic ${clinicId} to the other bridges (share: ${plan.target} of ${clinics.length})`, {
        clinic: clinicId,
      })
    }
    for (const clinicId of plan.take) {
      if (this.#stopped) return
      const answer = await this.leases.acquire(clinicId)
      if (answer.held && answer.fresh && !this.#taking.has(clinicId)) {
        const taking = this.#take(clinicId).finally(() => this.#taking.delete(clinicId))
        this.#taking.set(clinicId, taking)
      }
    }
    if (plan.release.length + plan.take.length > 0)
      this.#o.log?.(`holding ${this.held.length} of ${clinics.length} clinics (${this.members.length} bridges): ${this.held.join(", ")}`)
  }

  async #take(clinicId: string): Promise<void> {
    try {
      await this.#o.onTake(clinicId)
    } catch (e) {
      // half followed: stop, and let another bridge (or a later round) try
      this.#o.log?.(`taking clinic ${clinicId} failed: ${(e as Error).message}`, { level: "error", clinic: clinicId })
      await this.#stopWork(clinicId)
      await this.leases.release(clinicId).catch(() => undefined)
    }
  }

  /** Stops working on the clinic, once taking it (if under way) is done. */
  async #drop(clinicId: string): Promise<void> {
    await this.#taking.get(clinicId)
    await this.#stopWork(clinicId)
  }

  async #stopWork(clinicId: string): Promise<void> {
    try {
      await this.#o.onDrop(clinicId)
    } catch (e) {
      this.#o.log?.(`dropping clinic ${clinicId} failed: ${(e as Error).message}`, { level: "error", clinic: clinicId })
    }
  }
}
