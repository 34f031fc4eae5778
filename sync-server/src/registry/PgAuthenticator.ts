import type { IncomingMessage } from "node:http"
import { migrate, PgListener } from "@vetsync/db"
import pg from "pg"
import type { Authenticator, EnrolResult, Identity, Revoked } from "../Authenticator.js"
import { enrol, identityOfCredential, touch } from "./commands.js"
import { saveDeskReport } from "./deskStatus.js"
import { issueLanCertificate } from "./clinicCas.js"
import type { LanCertificates } from "@vetsync/shared/lan"
import { bearerOf } from "./tokens.js"
import type { DeskReport } from "@vetsync/shared/net"
import type { LineLog } from "@vetsync/shared/log"

export interface PgAuthenticatorOptions {
  /** the registry's database; start() migrates it (@vetsync/db's migrations, the registry's since 0006) */
  databaseUrl: string
  /** a desk's last_seen_at is written at most this often from its sync traffic; default 30 s */
  seenEveryMs?: number
  log?: LineLog
}

const CHANNEL = "vetsync_revoked"
/** NOTIFYed by the clinics table's trigger (migration 0003) with the new clinic's id */
const CLINICS_CHANNEL = "vetsync_clinics"

/**
 * Authenticates desks and services against the registry in PostgreSQL: the identity comes
 * only from `Authorization: Bearer <credential>` (never from other headers or the query),
 * enrolment tokens are exchanged once, and revocations arrive by LISTEN vetsync_revoked
 * (NOTIFYed by a trigger, so every relay on the database hears them). After the listening
 * connection (a PgListener) drops and comes back, revocations made meanwhile are read from the table.
 */
export class PgAuthenticator implements Authenticator {
  readonly pool: pg.Pool
  readonly #listener: PgListener
  readonly #seenEveryMs: number
  readonly #log: LineLog
  readonly #lastTouch = new Map<string, number>()
  readonly #listeners: ((who: Revoked) => void)[] = []
  readonly #clinicListeners: ((clinicId: string) => void)[] = []
  #lostAt: Date | undefined

  private constructor(opts: PgAuthenticatorOptions) {
    this.#seenEveryMs = opts.seenEveryMs ?? 30_000
    this.#log = opts.log ?? (() => undefined)
    this.pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 })
    this.pool.on("error", e => this.#log(`registry pool error: ${e.message}`))
    this.#listener = new PgListener(opts.databaseUrl, {
      onLost: why => {
        this.#lostAt ??= new Date()
        this.#log(`registry listener lost (${why}); reconnecting`)
      },
      onError: (e, during) => {
        // the connection's own errors are logged as its loss (above)
        if (during === "reconnect") this.#log(`registry listener reconnect failed: ${(e as Error).message}`)
      },
      onReconnect: () => {
        this.#caughtUp().catch(e => this.#log(`registry catch-up after reconnecting failed: ${(e as Error).message}`))
      },
      unref: true,
    })
      .on(CHANNEL, payload => {
        const [role, ...rest] = payload.split(":")
        const id = rest.join(":")
        if ((role === "desk" || role === "service") && id) this.#emit({ role, id })
      })
      .on(CLINICS_CHANNEL, clinicId => {
        if (clinicId) this.#emitClinic(clinicId)
      })
  }

  /**
   * Migrates the registry's database (a relay started before any bridge, on an empty database,
   * works; the migrations' advisory lock serialises a relay and a bridge starting at once), then
   * LISTENs for revocations and new clinics.
   */
  static async start(opts: PgAuthenticatorOptions): Promise<PgAuthenticator> {
    const auth = new PgAuthenticator(opts)
    try {
      const applied = await migrate(auth.pool)
      if (applied.length > 0) auth.#log(`registry database migrated: ${applied.join(", ")}`)
      await auth.#listener.start()
    } catch (e) {
      await auth.pool.end().catch(() => undefined)
      throw e
    }
    return auth
  }

  async authenticate(req: IncomingMessage): Promise<Identity | null> {
    const token = bearerOf(req.headers.authorization)
    if (token === undefined) return null
    const identity = await identityOfCredential(this.pool, token)
    if (identity) this.#touch(identity, true)
    return identity
  }

  async enrol(token: string, lanPublicKey?: string): Promise<EnrolResult | null> {
    const enrolled = await enrol(this.pool, token)
    if (!enrolled || lanPublicKey === undefined) return enrolled
    const lan = await issueLanCertificate(this.pool, enrolled.deskId, lanPublicKey)
    return lan ? { ...enrolled, lan } : enrolled
  }

  lanCertificate(deskId: string, lanPublicKey: string): Promise<LanCertificates | null> {
    return issueLanCertificate(this.pool, deskId, lanPublicKey)
  }

  onRevoked(listener: (who: Revoked) => void): void {
    this.#listeners.push(listener)
  }

  async clinics(): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>("SELECT id FROM clinics ORDER BY id")
    return r.rows.map(row => row.id)
  }

  onClinic(listener: (clinicId: string) => void): void {
    this.#clinicListeners.push(listener)
  }

  #emitClinic(clinicId: string): void {
    for (const l of this.#clinicListeners) {
      try {
        l(clinicId)
      } catch (e) {
        this.#log(`a clinic listener failed: ${(e as Error).message}`)
      }
    }
  }

  /** Ready when PostgreSQL answers within 2 s and the registry's tables are there (migrated). */
  async ready(): Promise<{ ok: true } | { ok: false; reason: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2_000)
    })
    try {
      await Promise.race([this.pool.query("SELECT 1 FROM clinics, desk_credentials LIMIT 0"), timeout])
      return { ok: true }
    } catch (e) {
      return { ok: false, reason: `registry: PostgreSQL: ${(e as Error).message}` }
    } finally {
      clearTimeout(timer)
    }
  }

  async report(identity: Identity, report: DeskReport, receivedAt: Date, clockOffsetMs: number): Promise<void> {
    if (identity.role === "desk") await saveDeskReport(this.pool, identity, report, receivedAt, clockOffsetMs)
  }

  seen(identity: Identity): void {
    this.#touch(identity, false)
  }

  async close(): Promise<void> {
    await this.#listener.stop()
    await this.pool.end().catch(() => undefined)
  }

  #touch(identity: Identity, force: boolean): void {
    const key = `${identity.role}:${identity.deskId}`
    const now = Date.now()
    if (!force && now - (this.#lastTouch.get(key) ?? 0) < this.#seenEveryMs) return
    this.#lastTouch.set(key, now)
    touch(this.pool, identity).catch(e => this.#log(`recording last sync of ${key} failed: ${(e as Error).message}`))
  }

  #emit(who: Revoked): void {
    for (const l of this.#listeners) l(who)
  }

  /**
   * Back after the listening connection was lost: revocations made meanwhile (with a minute of
   * margin: one NOTIFYed just before the loss was noticed), and clinics added meanwhile
   * (registering a known clinic again changes nothing). When this fails, the next reconnect
   * reads from the same moment.
   */
  async #caughtUp(): Promise<void> {
    const since = this.#lostAt
    this.#lostAt = undefined
    if (!since) return
    try {
      await this.#catchUp(new Date(since.getTime() - 60_000))
      for (const clinicId of await this.clinics()) this.#emitClinic(clinicId)
    } catch (e) {
      this.#lostAt ??= since
      throw e
    }
  }

  /** Revocations made while no connection was listening. */
  async #catchUp(since: Date): Promise<void> {
    const desks = await this.pool.query<{ id: string }>(
      "SELECT desk_id AS id FROM desk_credentials WHERE revoked_at >= $1",
      [since],
    )
    for (const r of desks.rows) this.#emit({ role: "desk", id: r.id })
    const services = await this.pool.query<{ id: string }>(
      "SELECT name AS id FROM service_credentials WHERE revoked_at >= $1",
      [since],
    )
    for (const r of services.rows) this.#emit({ role: "service", id: r.id })
  }
}
