import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Repo, type NetworkAdapterInterface, type PeerId } from "@automerge/automerge-repo"
import { Database, PgListener } from "@vetsync/db"
import {
  SafeFsStorageAdapter,
  type PriceListDoc,
  type ProfileDoc,
  type RejectionsDoc,
  type StaffDoc,
} from "@vetsync/shared"
import type { BridgeObserver, PublishedDocument } from "./BridgeObserver.js"
import { Projector } from "./projection/Projector.js"
import type { ProjectionResult } from "./projection/projectDocument.js"
import { clinicOfDesk } from "./queries/clinicProfile.js"
import { ensureClinic, listClinics } from "./queries/clinics.js"
import { finishImport, pendingImports } from "./queries/importRequests.js"
import { Serial } from "./Serial.js"
import { ChangeLogConsumer } from "./sync/ChangeLogConsumer.js"
import { importClinic, type ImportResult } from "./sync/importClinic.js"
import { openDoc } from "./sync/openDoc.js"
import { publishPriceList } from "./sync/publishPriceList.js"
import { publishProfile } from "./sync/publishProfile.js"
import { publishStaff } from "./sync/publishStaff.js"
import { publishRejections } from "./sync/publishRejections.js"
import type { LineLog } from "@vetsync/shared/log"

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
}

/**
 * The bridge between the clinics' documents and PostgreSQL: projects every clinic's
 * documents into tables exactly once, reports refused records to the desks, publishes
 * the price list and each clinic's profile, and brings rows the web system writes into the documents.
 */
export class Bridge {
  readonly options: BridgeOptions
  db!: Database
  repo!: Repo
  projector!: Projector
  readonly #serial = new Serial()
  #listener: PgListener | undefined
  #consumer!: ChangeLogConsumer
  #ownRepo = false
  #importing = false
  readonly #watched = new Set<string>()
  readonly #log: LineLog

  constructor(options: BridgeOptions) {
    this.options = options
    this.#log = options.log ?? (() => {})
  }

  static async start(options: BridgeOptions): Promise<Bridge> {
    return new Bridge(options).start()
  }

  get pool() {
    return this.db.pool
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
        sharePolicy: async () => true,
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
      exclusive: fn => this.#serial.run(fn),
      onRejectionsChanged: clinicId => {
        this.#bg(this.#publishRejections(clinicId))
      },
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
      .on("vetsync_nomenclature", clinicId => this.#bg(this.#publishPrices(clinicId)))
      .on("vetsync_profile", clinicId => this.#bg(this.#publishProfile(clinicId)))
      .on("vetsync_staff", clinicId => this.#bg(this.#publishStaff(clinicId)))
      // 'desk:<id>' (the registry's trigger): the desk's clinic's profile names its revoked desks
      .on("vetsync_revoked", who => this.#bg(this.#publishRevoked(who)))
      .on("vetsync_changes", () => this.#bg(this.#consume()))
      .on("vetsync_clinics", clinicId => this.#bg(this.#follow(clinicId)))
      .on("vetsync_import", () => this.#bg(this.#runImportRequests()))
    await this.#listener.start()
    for (const c of await listClinics(this.db.pool)) await this.#follow(c.id)
    await this.#consume()
    this.#bg(this.#runImportRequests())
    this.#log(
      `bridge started: ${this.projector.clinics.length} clinics, database ${o.databaseUrl ? "from DATABASE_URL" : "embedded"}`,
    )
    return this
  }

  /** Registers a clinic (if new) and follows its documents. */
  async addClinic(clinicId: string, name = ""): Promise<void> {
    await ensureClinic(this.db.pool, clinicId, name)
    await this.#follow(clinicId)
  }

  /** The morning download: the clinic's client and patient rows into its documents. */
  importClinic(clinicId: string): Promise<ImportResult> {
    return this.#serial.run(() => importClinic(this.db.pool, this.repo, clinicId))
  }

  /** Carries out the import requests `vetsync import` left in import_requests, one at a time. */
  async #runImportRequests(): Promise<void> {
    if (this.#importing) return
    this.#importing = true
    try {
      for (
        let pending = await pendingImports(this.db.pool);
        pending.length > 0;
        pending = await pendingImports(this.db.pool)
      ) {
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
    return this.#publishPrices(clinicId)
  }

  /** Resolves once everything seen so far is projected, published and consumed. */
  async idle(): Promise<void> {
    for (let quiet = 0; quiet < 2;) {
      await this.projector.drain()
      await this.#serial.idle()
      quiet = this.projector.busy || this.#serial.busy ? 0 : quiet + 1
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
    await this.#serial.idle()
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
    await this.projector.followClinic(clinicId)
    if (!this.#watched.has(clinicId)) {
      this.#watched.add(clinicId)
      // a desk's change to a server-owned document is overwritten by the master
      const prices = await openDoc<PriceListDoc>(this.repo, clinicId, "pricelist")
      prices.on("change", () => this.#bg(this.#publishPrices(clinicId)))
      const rejections = await openDoc<RejectionsDoc>(this.repo, clinicId, "rejections")
      rejections.on("change", () => this.#bg(this.#publishRejections(clinicId)))
      const profile = await openDoc<ProfileDoc>(this.repo, clinicId, "profile")
      profile.on("change", () => this.#bg(this.#publishProfile(clinicId)))
      const staff = await openDoc<StaffDoc>(this.repo, clinicId, "staff")
      staff.on("change", () => this.#bg(this.#publishStaff(clinicId)))
    }
    await this.#publishPrices(clinicId)
    await this.#publishRejections(clinicId)
    await this.#publishProfile(clinicId)
    await this.#publishStaff(clinicId)
  }

  #publishStaff(clinicId: string): Promise<unknown> {
    return this.#publish(clinicId, "staff", publishStaff)
  }

  async #publishRevoked(who: string): Promise<unknown> {
    if (!who.startsWith("desk:")) return
    const clinicId = await clinicOfDesk(this.db.pool, who.slice("desk:".length))
    return clinicId === null ? undefined : this.#publishProfile(clinicId)
  }

  #publishProfile(clinicId: string): Promise<unknown> {
    return this.#publish(clinicId, "profile", publishProfile)
  }

  #publishRejections(clinicId: string): Promise<unknown> {
    return this.#publish(clinicId, "rejections", publishRejections)
  }

  #publishPrices(clinicId: string): Promise<unknown> {
    return this.#publish(clinicId, "pricelist", publishPriceList)
  }

  /** Publishes one of the clinic's server-owned documents (once, however often asked while queued). */
  #publish(
    clinicId: string,
    document: PublishedDocument,
    publish: (pool: Bridge["pool"], repo: Repo, clinicId: string) => Promise<boolean>,
  ): Promise<unknown> {
    return this.#serial.once(`${document}:${clinicId}`, async () => {
      const changed = await publish(this.db.pool, this.repo, clinicId)
      if (changed) this.options.observer?.published(clinicId, document)
      return changed
    })
  }

  #consume(): Promise<unknown> {
    return this.#serial.once("changes", () => this.#consumer.consume())
  }

  #catchUp(): void {
    this.#bg(this.#consume())
    for (const c of this.projector.clinics) {
      this.#bg(this.#publishPrices(c))
      this.#bg(this.#publishProfile(c))
      this.#bg(this.#publishStaff(c))
    }
  }

  /** Background work: failures are logged, never unhandled. */
  #bg(p: Promise<unknown>): void {
    p.catch(e => this.#log(`error: ${(e as Error)?.stack ?? String(e)}`))
  }
}
