import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Repo, type NetworkAdapterInterface, type PeerId } from "@automerge/automerge-repo"
import { Database, PgListener } from "@vetsync/db"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import type { BridgeObserver } from "./BridgeObserver.js"
import { ClinicWork } from "./ClinicWork.js"
import { Projector } from "./projection/Projector.js"
import type { ProjectionResult } from "./projection/projectDocument.js"
import { ensureClinic, listClinics } from "./queries/clinics.js"
import { finishImport, pendingImports } from "./queries/importRequests.js"
import { ServerDocs } from "./ServerDocs.js"
import type { ClinicRelays } from "./relay/ClinicRelays.js"
import { ClinicShare } from "./share/ClinicShare.js"
import { ChangeLogConsumer } from "./sync/ChangeLogConsumer.js"
import { importClinic, type ImportResult } from "./sync/importClinic.js"
import type { LineLog } from "@vetsync/shared/log"

/** Several bridges on one PostgreSQL: each clinic is worked on by the holder of its bridge lease. */
export interface BridgeShareOptions {
  /** this bridge's lease holder id, unique among the bridges (VETSYNC_BRIDGE_ID) */
  holder: string
  /** informative: where this bridge answers */
  holderUrl?: string
  /** a lease's length; default BRIDGE_LEASE_MS, 6 s */
  ttlMs?: number
  /** how often the share is looked at and the leases renewed; default BRIDGE_SHARE_ROUND_MS, 2 s */
  renewMs?: number
}

export interface BridgeOptions {
  /** documents in <dataDir>/docs (when no repo is given), embedded PostgreSQL in <dataDir>/pg */
  dataDir: string
  /** use this server instead of the embedded one */
  databaseUrl?: string
  /** an existing Repo to follow (in-process use and tests); otherwise one is created */
  repo?: Repo
  /** network adapters of the created Repo, e.g. a WebSocket client to the relay */
  network?: NetworkAdapterInterface[]
  /** service name: the peer id is service:<name>:<random> */
  name?: string
  log?: LineLog
  onProjected?: (clinicId: string, result: ProjectionResult) => void
  /** told what the bridge does, e.g. BridgeMetrics */
  observer?: BridgeObserver
  /** clinics worked on at the same time (each clinic one task at a time); default 4 */
  workers?: number
  /** share the clinics out with other bridges under leases in PostgreSQL; absent: this bridge works on every clinic */
  share?: BridgeShareOptions
  /** each clinic followed through its own connection to the relay holding it (and its documents shared there only) */
  relays?: ClinicRelays
}

/**
 * The bridge between the clinics' documents and PostgreSQL: projects every clinic's
 * documents into tables exactly once, reports refused records to the desks, publishes
 * the price list and each clinic's profile, and brings rows the web system writes into the documents.
 * Clinics are worked on side by side (ClinicWork: `workers` at a time, each clinic serial); with
 * `share`, only the clinics whose bridge leases this bridge holds (ClinicShare).
 */
export class Bridge {
  readonly options: BridgeOptions
  db!: Database
  repo!: Repo
  projector!: Projector
  readonly #work: ClinicWork
  #docs!: ServerDocs
  #share: ClinicShare | undefined
  #listener: PgListener | undefined
  #consumer!: ChangeLogConsumer
  #ownRepo = false
  #importing = false
  /** clinics being dropped: nothing new of theirs starts */
  readonly #dropping = new Set<string>()
  readonly #log: LineLog

  constructor(options: BridgeOptions) {
    this.options = options
    this.#log = options.log ?? (() => {})
    this.#work = new ClinicWork(options.workers ?? 4)
  }

  static async start(options: BridgeOptions): Promise<Bridge> {
    return new Bridge(options).start()
  }

  get pool() {
    return this.db.pool
  }

  /** The clinics this bridge works on now (with a share: those whose leases it holds). */
  get clinics(): string[] {
    return this.projector?.clinics ?? []
  }

  /** Its part in sharing the clinics out, when several bridges do. */
  get share(): ClinicShare | undefined {
    return this.#share
  }

  /** The most clinic tasks that ran at the same time since the start. */
  get peakWorkers(): number {
    return this.#work.peak
  }

  /** Whether this bridge works on the clinic now. */
  holds(clinicId: string): boolean {
    if (this.#dropping.has(clinicId)) return false
    return this.#share ? this.#share.holds(clinicId) : true
  }

  /** The LISTEN connection (notifications of the web system's changes, prices, profiles) is open. */
  get listening(): boolean {
    return this.#listener?.connected ?? false
  }

  async start(): Promise<this> {
    const o = this.options
    this.db = await Database.open({ dataDir: o.dataDir, databaseUrl: o.databaseUrl, log: this.#log })
    this.#ownRepo = !o.repo
    this.repo =
      o.repo ??
      new Repo({
        storage: new SafeFsStorageAdapter(join(o.dataDir, "docs")),
        network: o.network ?? [],
        peerId: `service:${o.name ?? "bridge"}:${randomBytes(4).toString("hex")}` as PeerId,
        ...(o.relays ? { shareConfig: o.relays.shareConfig } : { sharePolicy: async () => true }),
      })
    const onError = (e: unknown) => this.#log(`error: ${(e as Error)?.stack ?? String(e)}`)
    this.projector = new Projector({
      repo: this.repo,
      pool: this.db.pool,
      onProjected: (clinicId, result) => {
        o.observer?.documentProjected(clinicId, result)
        o.onProjected?.(clinicId, result)
      },
      onWaitingProjected: (clinicId, result) => o.observer?.waitingProjected(clinicId, result),
      onFailed: clinicId => o.observer?.projectionFailed(clinicId),
      exclusive: (clinicId, fn) => this.#work.run(clinicId, fn),
      onRejectionsChanged: clinicId => this.#docs.background(clinicId, "rejections"),
      onError,
    })
    this.#docs = new ServerDocs({
      pool: this.db.pool,
      repo: this.repo,
      work: this.#work,
      holds: c => this.holds(c),
      observer: o.observer,
      onError,
    })
    this.#consumer = new ChangeLogConsumer(this.db.pool, this.repo)
    this.#listener = new PgListener(this.db.url, {
      onError,
      onLost: why => this.#log(`LISTEN connection lost (${why}); reconnecting`),
      onReconnect: () => {
        o.observer?.listenerReconnected()
        this.#catchUp()
      },
    })
      .on("vetsync_nomenclature", clinicId => this.#docs.background(clinicId, "pricelist"))
      .on("vetsync_profile", clinicId => this.#docs.background(clinicId, "profile"))
      .on("vetsync_staff", clinicId => this.#docs.background(clinicId, "staff"))
      // 'desk:<id>' (the registry's trigger): the desk's clinic's profile names its revoked desks
      .on("vetsync_revoked", who => this.#bg(this.#docs.revoked(who)))
      // the payload is the clinic whose row changed
      .on("vetsync_changes", clinicId => this.#bg(this.#consume(clinicId)))
      .on("vetsync_clinics", clinicId => this.#bg(this.#share ? this.#share.round() : this.#follow(clinicId)))
      .on("vetsync_import", () => this.#bg(this.#runImportRequests()))
    await this.#listener.start()
    if (o.share) {
      this.#share = new ClinicShare({
        pool: this.db.pool,
        ...o.share,
        clinics: async () => (await listClinics(this.db.pool)).map(c => c.id),
        onTake: clinicId => this.#follow(clinicId),
        onDrop: clinicId => this.#drop(clinicId),
        log: this.#log,
      })
      await this.#share.start()
    } else for (const c of await listClinics(this.db.pool)) await this.#follow(c.id)
    this.#bg(this.#runImportRequests())
    this.#log(
      `bridge started: ${this.projector.clinics.length} clinics${o.share ? ` (holder ${o.share.holder}, sharing them with ${(this.#share?.members.length ?? 1) - 1} other bridges)` : ""}, ${this.#work.workers} clinic workers, database ${o.databaseUrl ? "from DATABASE_URL" : "embedded"}`,
    )
    return this
  }

  /** Registers a clinic (if new) and follows its documents (with a share: if it falls to this bridge). */
  async addClinic(clinicId: string, name = ""): Promise<void> {
    await ensureClinic(this.db.pool, clinicId, name)
    if (this.#share) await this.#share.round()
    else await this.#follow(clinicId)
  }

  /** The morning download: the clinic's client and patient rows into its documents. */
  importClinic(clinicId: string): Promise<ImportResult> {
    return this.#work.run(clinicId, () => importClinic(this.db.pool, this.repo, clinicId))
  }

  /** Carries out the import requests `vetsync import` left in import_requests, one at a time. */
  async #runImportRequests(): Promise<void> {
    if (this.#importing) return
    this.#importing = true
    try {
      // with a share, the holder of each request's clinic carries it out
      const mine = async () => (await pendingImports(this.db.pool)).filter(r => !this.#share || this.holds(r.clinic_id))
      for (let pending = await mine(); pending.length > 0; pending = await mine()) {
        for (const r of pending) {
          try {
            await this.#follow(r.clinic_id)
            const result = await this.importClinic(r.clinic_id)
            this.#log(`imported ${r.clinic_id}: ${JSON.stringify(result)}`)
            await finishImport(this.db.pool, r.id, { result })
          } catch (e) {
            await finishImport(this.db.pool, r.id, { error: (e as Error).message ?? String(e) })
          }
        }
      }
    } finally {
      this.#importing = false
    }
  }

  publishPriceList(clinicId: string): Promise<unknown> {
    return this.#docs.publish(clinicId, "pricelist")
  }

  /** Resolves once everything seen so far is projected, published and consumed. */
  async idle(): Promise<void> {
    for (let quiet = 0; quiet < 2;) {
      await this.projector.drain()
      await this.#work.idle()
      quiet = this.projector.busy || this.#work.busy ? 0 : quiet + 1
      await new Promise(r => setImmediate(r))
    }
  }

  /** Same as stop(), for callers that close things. */
  close(): Promise<void> {
    return this.stop()
  }

  async stop(): Promise<void> {
    await this.#listener?.stop()
    await this.projector?.stop()
    await this.#work.idle()
    // after the work stopped: other bridges take the clinics at once
    await this.#share?.stop()
    if (this.#ownRepo && this.repo) {
      const ready = Object.values(this.repo.handles)
        .filter(h => h.isReady())
        .map(h => h.documentId)
      await this.repo.flush(ready).catch(() => {})
      await this.repo.shutdown().catch(() => {})
    }
    await this.db?.close()
  }

  async #follow(clinicId: string): Promise<void> {
    this.#dropping.delete(clinicId)
    this.options.relays?.follow(this.repo.networkSubsystem, clinicId)
    await this.projector.followClinic(clinicId)
    await this.#docs.follow(clinicId)
    await this.#consume(clinicId)
  }

  /** Stops working on the clinic (its lease goes to another bridge); resolves when its running work is done. */
  async #drop(clinicId: string): Promise<void> {
    this.#dropping.add(clinicId)
    this.#docs.drop(clinicId)
    await this.projector.dropClinic(clinicId)
    await this.#work.idle(clinicId)
    if (this.#dropping.has(clinicId)) this.options.relays?.drop(this.repo.networkSubsystem, clinicId)
    this.#log(`stopped working on clinic ${clinicId}`, { clinic: clinicId })
  }

  /** The web system's changes of the clinic (all followed clinics when none is named) into its documents. */
  async #consume(clinicId?: string): Promise<void> {
    const clinics = clinicId === undefined ? this.projector.clinics : [clinicId]
    await Promise.all(
      clinics
        .filter(c => this.holds(c) && this.projector.clinics.includes(c))
        .map(c => this.#work.once(c, "changes", () => this.#consumer.consume(c))),
    )
  }

  #catchUp(): void {
    this.#bg(this.#consume())
    for (const c of this.projector.clinics) {
      this.#docs.background(c, "pricelist")
      this.#docs.background(c, "profile")
      this.#docs.background(c, "staff")
    }
  }

  /** Background work: failures are logged, never unhandled. */
  #bg(p: Promise<unknown>): void {
    p.catch(e => this.#log(`error: ${(e as Error)?.stack ?? String(e)}`))
  }
}
