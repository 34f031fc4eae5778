import { randomBytes, randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { NetworkAdapterInterface } from "@automerge/automerge-repo"
import {
  isDocKey,
  kindOfKey,
  readRecord,
  type AnyClinicDoc,
  type AnyRecord,
  type DocKey,
  type RootDoc,
} from "@vetsync/shared"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import {
  DeskError,
  type DeskApi,
  type DeskArgs,
  type DeskCommand,
  type DeskEvent,
  type DeskResult,
  type DeskStatus,
  type SyncNowResult,
} from "./api.js"
import { Bootstrapper } from "./Bootstrapper.js"
import { ClinicZone } from "./ClinicZone.js"
import { recordFromDoc, type CommandContext } from "./commands/context.js"
import { DocFollower } from "./DocFollower.js"
import { DocStore, type ClinicHandle } from "./DocStore.js"
import { createHandlers } from "./handlers.js"
import { ReadModel } from "./readmodel/ReadModel.js"
import { ReadModelUpdater } from "./ReadModelUpdater.js"
import { SyncProblems } from "./SyncProblems.js"
import { SyncTracker } from "./SyncTracker.js"

export interface DeskOptions {
  dataDir: string
  clinicId: string
  deskId: string
  /** short code unique in the clinic, used in invoice numbers */
  deskCode: string
  /** the relay, e.g. ws://127.0.0.1:3030/sync; none: the desk works alone */
  server?: string
  /** HTTP headers presented to the relay */
  headers?: Record<string, string>
  /** the desk's credential from enrolment (enrolDesk / credential.json): sent as Authorization: Bearer */
  credential?: string
  /** further peers (for example other desks on the clinic's LAN) */
  network?: NetworkAdapterInterface[]
  now?: () => Date
  /** how long the read model may reflect heads its document lacks, past the bootstrap, before it is rebuilt; default 60 s */
  readModelAheadMs?: number
  /** how often a connected desk compares its documents with the relay's (default 60 s) */
  catchUpMs?: number
}

const ROOT: DocKey = "root"

/**
 * The headless desk: documents (automerge-repo + SafeFsStorageAdapter), the SQLite read model,
 * honest sync status and one typed command API. Imports neither Electron nor Svelte.
 */
export class DeskCore {
  readonly opts: DeskOptions
  readonly rm: ReadModel
  readonly docs: DocStore
  readonly sync: SyncTracker
  readonly #updater: ReadModelUpdater
  readonly #bootstrap: Bootstrapper
  readonly #api: DeskApi
  readonly #adapters: ResilientWebSocketClientAdapter[] = []
  readonly #listeners = new Set<(e: DeskEvent) => void>()
  readonly #pendingUpdates = new Map<DocKey, ReturnType<typeof setTimeout>>()
  readonly #follower: DocFollower
  /** documents whose read model has been ahead of them since (ms) */
  readonly #aheadSince = new Map<string, number>()
  readonly #problems: SyncProblems
  readonly #clinic: ClinicZone
  #closed = false
  #statusTimer: ReturnType<typeof setTimeout> | undefined
  /** resolves when the start-up work (opening dirty documents, bootstrap) has been started */
  readonly ready: Promise<void>

  private constructor(opts: DeskOptions) {
    this.opts = opts
    fs.mkdirSync(opts.dataDir, { recursive: true })
    this.rm = ReadModel.open(path.join(opts.dataDir, "readmodel.sqlite"))
    const clinic = this.rm.getMeta("clinicId")
    if (clinic === undefined) this.rm.setMeta("clinicId", opts.clinicId)
    else if (clinic !== opts.clinicId)
      throw new Error(`data directory ${opts.dataDir} belongs to clinic ${clinic}, not ${opts.clinicId}`)
    const network: NetworkAdapterInterface[] = [...(opts.network ?? [])]
    this.#problems = new SyncProblems({
      online: () => this.sync.online,
      waiting: () => this.sync.waitingRecords(),
      refused: () => this.#adapters.find(a => a.refused !== undefined)?.refused,
      nextAttemptAt: () => this.#adapters.find(a => a.nextAttemptAt !== undefined)?.nextAttemptAt,
      onChange: () => this.#statusChanged(),
      ...(opts.now ? { now: () => (opts.now as () => Date)().getTime() } : {}),
    })
    if (opts.server) {
      const adapter = new ResilientWebSocketClientAdapter(opts.server, { headers: this.#headers() })
      adapter.on("durable", e => {
        if (!this.#closed) this.sync.durable(e.documentId, e.heads)
      })
      adapter.on("connection", e => this.#problems.connection(e))
      adapter.on("retry", () => this.#statusChanged())
      this.#adapters.push(adapter)
      network.push(adapter)
    }
    this.docs = new DocStore({
      docsDir: path.join(opts.dataDir, "docs"),
      clinicId: opts.clinicId,
      peerId: `desk:${opts.deskId}:${randomBytes(4).toString("hex")}`,
      network,
    })
    this.#updater = new ReadModelUpdater(this.rm)
    this.#clinic = new ClinicZone(this.rm)
    this.sync = new SyncTracker(this.docs, this.rm.ledger, () => {
      this.#problems.progress()
      this.#statusChanged()
    })
    this.#bootstrap = new Bootstrapper(this.rm, this.docs, () => this.#statusChanged())
    this.#follower = new DocFollower({
      server: opts.server,
      clinicId: opts.clinicId,
      headers: () => this.#headers(),
      docs: this.docs,
      ledger: this.rm.ledger,
      sync: this.sync,
      bootstrap: this.#bootstrap,
      onSnapshot: () => {
        this.#profileChanged()
        this.#emit({ type: "records-changed", collections: ["clients", "patients", "appointments", "invoices"] })
      },
      hasPendingUpdate: key => this.#pendingUpdates.has(key),
      catchUpMs: opts.catchUpMs,
    })
    this.sync.onRelayUp = () => this.#follower.relayUp()
    for (const { key } of this.rm.ledger.allDocHeads()) if (isDocKey(key)) this.docs.layout.add(key)
    this.docs.onDocument((key, handle) => {
      if (this.#closed) return
      this.sync.attach(key, handle)
      this.#scheduleUpdate(key, handle)
    })
    this.#api = createHandlers({
      ctx: this.#context(),
      status: () => this.status(),
      syncNow: () => this.#syncNow(),
      profile: () => this.#clinic.view(new Date(this.#now())),
    })
    this.ready = this.#follower.start()
  }

  /** Opens a desk. Searches answer from the read model at once; documents load in the background. */
  static async open(opts: DeskOptions): Promise<DeskCore> {
    return new DeskCore(opts)
  }

  /** Calls one command of the typed API. */
  async call<C extends DeskCommand>(command: C, args: DeskArgs<C>): Promise<Awaited<DeskResult<C>>> {
    if (this.#closed) throw new DeskError("internal", "the desk is closed")
    const fn = this.#api[command] as unknown as (a: unknown) => Promise<Awaited<DeskResult<C>>>
    if (typeof fn !== "function") throw new DeskError("bad_request", `unknown command ${String(command)}`)
    return fn(args ?? {})
  }

  get api(): DeskApi {
    return this.#api
  }

  onEvent(listener: (e: DeskEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  status(): DeskStatus {
    const online = this.sync.online
    const waiting = this.sync.waitingRecords()
    const bootstrapping = this.#bootstrap.running
    const problem = this.#problems.current()
    const state = problem ? "error" : !online ? "offline" : waiting > 0 || bootstrapping ? "syncing" : "online"
    return {
      state,
      online,
      waitingRecords: waiting,
      lastSyncedAt: this.sync.lastSyncedAt(),
      error: problem ? `${problem.code}: ${problem.detail}` : null,
      problem,
      bootstrap: this.#bootstrap.progress(),
      deskId: this.opts.deskId,
      clinicId: this.opts.clinicId,
      server: this.opts.server ?? null,
      peers: this.sync.peers(),
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#statusTimer)
    this.#problems.close()
    this.#follower.close()
    for (const t of this.#pendingUpdates.values()) clearTimeout(t)
    await this.ready.catch(() => undefined)
    await this.docs.close()
    this.rm.close()
  }

  #headers(): Record<string, string> {
    const auth: Record<string, string> = this.opts.credential ? { authorization: `Bearer ${this.opts.credential}` } : {}
    return {
      "x-vetsync-clinic": this.opts.clinicId,
      "x-vetsync-desk": this.opts.deskId,
      ...auth,
      ...(this.opts.headers ?? {}),
    }
  }

  #now(): string {
    return (this.opts.now?.() ?? new Date()).toISOString()
  }

  #context(): CommandContext {
    const clinic = this.#clinic
    const now = (): Date => new Date(this.#now())
    return {
      rm: this.rm,
      deskId: this.opts.deskId,
      deskCode: this.opts.deskCode,
      now: () => this.#now(),
      timeZone: () => clinic.timeZone(),
      get dates() {
        return clinic.dates(now)
      },
      newId: () => randomUUID(),
      write: (key, fn, records) => this.#write(key, fn as (d: AnyClinicDoc) => void, records),
      readFromDoc: (key, collection, id) =>
        this.docs.use(key, handle => {
          const r = recordFromDoc(handle.doc(), collection, id)
          if (!r && this.#bootstrap.running && this.rm.ledger.getDocHeads(handle.documentId))
            throw new DeskError(
              "not_found",
              `${collection}/${id} is still downloading to this desk; try again in a moment`,
            )
          return r
        }),
    }
  }

  async #write(
    key: DocKey,
    fn: (d: AnyClinicDoc) => void,
    records: { collection: AnyRecord["collection"]; id: string }[],
  ): Promise<void> {
    if (kindOfKey(key) !== "root") await this.#listPartition(key)
    const id = this.docs.layout.idOf(key)
    this.sync.beforeLocalChange(key, id)
    await this.docs.use(key, async handle => {
      try {
        await this.docs.change(handle, fn)
        this.#problems.saved()
      } catch (e) {
        this.#problems.saveFailed((e as Error).message)
        throw new DeskError("internal", `could not save the change: ${(e as Error).message}`)
      }
      const doc = handle.doc()
      const written = records
        .map(r => readRecord(doc, r.collection, r.id))
        .filter((r): r is AnyRecord => r !== undefined)
      // the change is on disk: the read model may show it now (never before, see DocStore.isSaving),
      // the command's records in the transaction that takes the change, each once
      const result = this.#updater.update(key, handle, { written })
      this.sync.recount(key, handle)
      this.#emit({ type: "records-changed", collections: result?.collections ?? [] })
    })
  }

  /** A shard or month partition is listed in the root document the first time it is written. */
  async #listPartition(key: DocKey): Promise<void> {
    await this.docs.use(ROOT, async root => {
      if ((root.doc() as RootDoc).partitions?.[key]) return
      await this.docs.change<RootDoc>(root, d => {
        d.partitions[key] = true
      })
    })
  }

  #scheduleUpdate(key: DocKey, handle: ClinicHandle): void {
    if (this.#pendingUpdates.has(key)) return
    this.#pendingUpdates.set(
      key,
      setTimeout(() => {
        this.#pendingUpdates.delete(key)
        // the document may have been unloaded meanwhile: its changes are in the read model already
        if (this.#closed || this.docs.handleOf(key) !== handle || !handle.isReady()) return
        // a local change still on its way to disk: the write updates the read model once it is there
        if (this.docs.isSaving(key)) return this.#scheduleUpdate(key, handle)
        try {
          const result = this.#updater.update(key, handle, { rebuildIfAhead: this.#aheadTooLong(key, handle) })
          this.sync.recount(key, handle)
          this.#bootstrap.check()
          void this.#follower.trim()
          if (!result) return
          if (result.profile) this.#profileChanged()
          for (const p of result.partitions) if (isDocKey(p)) this.#follower.partitionListed(p)
          if (result.collections.length) this.#emit({ type: "records-changed", collections: result.collections })
        } catch (e) {
          console.error(`[desk] could not update the read model from ${key}:`, e)
        }
      }, 25),
    )
  }

  /**
   * The read model reflects heads the document does not have. While a new desk downloads its clinic
   * that is expected (the snapshot is ahead of the documents), and changes from the relay bring the
   * document up. Past the bootstrap, heads missing for a minute will not come (they were a change lost
   * before it reached this desk's disk): the document's records are then rebuilt from the document,
   * instead of the read model waiting for ever.
   */
  #aheadTooLong(key: DocKey, handle: ClinicHandle): boolean {
    const id = handle.documentId
    if (!this.#updater.isAhead(handle) || !this.#bootstrap.isCaughtUp(key)) {
      this.#aheadSince.delete(id)
      return false
    }
    const since = this.#aheadSince.get(id)
    if (since === undefined) {
      this.#aheadSince.set(id, Date.now())
      // look again once the minute is over, even if nothing else changes the document
      setTimeout(
        () => {
          if (!this.#closed && this.docs.handleOf(key) === handle) this.#scheduleUpdate(key, handle)
        },
        (this.opts.readModelAheadMs ?? 60_000) + 1000,
      ).unref()
      return false
    }
    if (Date.now() - since < (this.opts.readModelAheadMs ?? 60_000)) return false
    this.#aheadSince.delete(id)
    console.error(
      `[desk] the read model of ${key} reflected changes its document never got: rebuilding it from the document`,
    )
    return true
  }

  /** "Sync now": connects at once when offline, sends again what waits, asks the relay what changed. */
  #syncNow(): SyncNowResult {
    if (this.#adapters.length === 0) return { outcome: "no-server", status: this.status() }
    if (!this.sync.online) {
      for (const a of this.#adapters) a.connectNow()
      return { outcome: "connecting", status: this.status() }
    }
    const waiting = this.sync.waitingRecords()
    void this.#follower.refresh()
    return { outcome: waiting > 0 ? "sending" : "checked", status: this.status() }
  }

  /** The profile may have changed in the read model: views that count days refresh when it did. */
  #profileChanged(): void {
    if (!this.#clinic.refresh()) return
    this.#emit({ type: "profile", profile: this.#clinic.view(new Date(this.#now())) })
    this.#emit({ type: "records-changed", collections: ["appointments", "invoices"] })
  }

  #statusChanged(): void {
    if (this.#statusTimer || this.#closed) return
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = undefined
      this.#emit({ type: "status", status: this.status() })
    }, 20)
  }

  #emit(e: DeskEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e)
      } catch (err) {
        console.error("[desk] event listener failed:", err)
      }
    }
  }
}
