import { randomBytes, randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { NetworkAdapterInterface } from "@automerge/automerge-repo"
import { isDocKey, ResilientWebSocketClientAdapter, type ChangeAuthor } from "@vetsync/shared"
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
import type { LanBootstrap } from "./BootstrapSources.js"
import type { BootstrapPhases } from "./BootstrapTimings.js"
import { ClinicZone } from "./ClinicZone.js"
import { CommandDocs } from "./CommandDocs.js"
import { DeskEvents } from "./DeskEvents.js"
import { DeskSession } from "./DeskSession.js"
import { staffNames } from "./views/staffNames.js"
import type { CommandContext } from "./commands/context.js"
import { RecordHistories } from "./history/RecordHistories.js"
import { DeskReporter } from "./DeskReporter.js"
import { DocFollower } from "./DocFollower.js"
import { DocStore } from "./DocStore.js"
import { FiscalDesk, type FiscalConfig } from "./fiscal/FiscalDesk.js"
import { PaymentReceipts } from "./fiscal/PaymentReceipts.js"
import { recordFiscal } from "./commands/payments.js"
import { createHandlers } from "./handlers.js"
import { ReadModel } from "./readmodel/ReadModel.js"
import { ReadModelScheduler } from "./ReadModelScheduler.js"
import { ReadModelUpdater, type UpdateResult } from "./ReadModelUpdater.js"
import { SyncProblems } from "./SyncProblems.js"
import { DurableBatch } from "./DurableBatch.js"
import { SyncTracker } from "./SyncTracker.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

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
  /** a new desk may take its clinic's snapshot from these LAN peers when the relay's does not come in time (issue 15) */
  lanBootstrap?: LanBootstrap
  now?: () => Date
  /** how long the read model may reflect heads its document lacks, past the bootstrap, before it is rebuilt; default 60 s */
  readModelAheadMs?: number
  /** how often a connected desk compares its documents with the relay's (default 60 s) */
  catchUpMs?: number
  /** the desk's cash register (default none); its receipts never wait for the relay */
  fiscal?: FiscalConfig
  /** how often a connected desk reports to the relay (DeskReporter; default 60 s) */
  reportMs?: number
  /** the desk's logger; default the process's, with the clinic and the desk as fields */
  log?: Logger
}

/**
 * The headless desk: documents (automerge-repo + SafeFsStorageAdapter), the SQLite read model,
 * honest sync status and one typed command API. Imports neither Electron nor Svelte.
 */
export class DeskCore {
  readonly opts: DeskOptions
  readonly rm: ReadModel
  readonly docs: DocStore
  readonly sync: SyncTracker
  /** where the desk's lines go, each with its clinic and desk */
  readonly log: Logger
  readonly #bootstrap: Bootstrapper
  readonly #api: DeskApi
  readonly #adapters: ResilientWebSocketClientAdapter[] = []
  readonly #events = new DeskEvents(() => this.status())
  readonly #scheduler: ReadModelScheduler
  readonly #commandDocs: CommandDocs
  readonly #follower: DocFollower
  readonly #problems: SyncProblems
  /** the relay's durable frames of one burst, written in one transaction */
  readonly #durable = new DurableBatch({
    apply: frames => this.sync.durableAll(frames),
    onError: e => this.log.error(`recording the relay's acknowledgements failed: ${(e as Error).message}`),
  })
  readonly #clinic: ClinicZone
  readonly #fiscal: FiscalDesk | null
  /** payments' receipts (when the desk has a register) */
  #receipts: PaymentReceipts | undefined
  readonly #session: DeskSession
  #reporter: DeskReporter | undefined
  #closed = false
  /** resolves when the start-up work (opening dirty documents, bootstrap) has been started */
  readonly ready: Promise<void>

  private constructor(opts: DeskOptions) {
    this.opts = opts
    this.log = (opts.log ?? rootLogger()).child({ clinic: opts.clinicId, desk: opts.deskId })
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
      onChange: () => this.#events.statusChanged(),
      ...(opts.now ? { now: () => (opts.now as () => Date)().getTime() } : {}),
    })
    if (opts.server) {
      const adapter = new ResilientWebSocketClientAdapter(opts.server, { headers: this.#headers() })
      adapter.on("durable", e => {
        if (this.#closed) return
        this.#durable.add(e.documentId, e.heads)
        this.#reporter?.durable()
      })
      adapter.on("connection", e => this.#problems.connection(e))
      adapter.on("retry", () => this.#events.statusChanged())
      this.#adapters.push(adapter)
      network.push(adapter)
    }
    this.docs = new DocStore({
      docsDir: path.join(opts.dataDir, "docs"),
      clinicId: opts.clinicId,
      peerId: `desk:${opts.deskId}:${randomBytes(4).toString("hex")}`,
      network,
      log: this.log,
    })
    const updater = new ReadModelUpdater(this.rm)
    this.#clinic = new ClinicZone(this.rm)
    this.#session = new DeskSession({
      staff: () => this.rm.getStaff(),
      now: () => (opts.now?.() ?? new Date()).getTime(),
      changed: session => this.#events.emit({ type: "session", session }),
    })
    this.sync = new SyncTracker(
      this.docs,
      this.rm.ledger,
      () => {
        this.#reporter?.changed()
        this.#problems.progress()
        this.#events.statusChanged()
      },
      /docs|wire/.test(process.env.VETSYNC_DEBUG ?? "") ? line => this.log.info(line) : undefined,
    )
    this.#bootstrap = new Bootstrapper(this.rm, this.docs, () => this.#events.statusChanged(), this.log)
    this.#scheduler = new ReadModelScheduler({
      docs: this.docs,
      updater,
      sync: this.sync,
      bootstrap: this.#bootstrap,
      aheadMs: opts.readModelAheadMs,
      updated: result => this.#updated(result),
      log: this.log,
    })
    this.#commandDocs = new CommandDocs({
      docs: this.docs,
      ledger: this.rm.ledger,
      updater,
      sync: this.sync,
      bootstrap: this.#bootstrap,
      problems: this.#problems,
      emit: e => this.#events.emit(e),
      author: () => this.#author(),
    })
    this.#follower = new DocFollower({
      server: opts.server,
      clinicId: opts.clinicId,
      headers: () => this.#headers(),
      docs: this.docs,
      ledger: this.rm.ledger,
      sync: this.sync,
      bootstrap: this.#bootstrap,
      onSnapshot: () => {
        this.#session.refresh()
        this.#profileChanged()
        this.#events.emit({ type: "records-changed", collections: ["clients", "patients", "appointments", "invoices"] })
      },
      hasPendingUpdate: key => this.#scheduler.hasPending(key),
      catchUpMs: opts.catchUpMs,
      ...(opts.lanBootstrap ? { lanBootstrap: opts.lanBootstrap } : {}),
      log: this.log,
    })
    if (opts.server)
      this.#reporter = new DeskReporter({
        server: opts.server,
        clinicId: opts.clinicId,
        headers: () => this.#headers(),
        docs: this.docs,
        sync: this.sync,
        log: this.log,
        ...(opts.reportMs ? { intervalMs: opts.reportMs, minGapMs: Math.min(opts.reportMs, 10_000) } : {}),
      })
    this.sync.onRelayUp = () => {
      this.#follower.relayUp()
      this.#reporter?.relayUp()
    }
    for (const { key } of this.rm.ledger.allDocHeads()) if (isDocKey(key)) this.docs.layout.add(key)
    this.docs.onDocument((key, handle) => {
      if (this.#closed) return
      this.sync.attach(key, handle)
      this.#scheduler.schedule(key, handle)
    })
    const fiscal = opts.fiscal ?? { kind: "none" }
    this.#fiscal =
      fiscal.kind === "none"
        ? null
        : new FiscalDesk({
            dataDir: opts.dataDir,
            config: fiscal,
            deskId: opts.deskId,
            timeZone: () => this.#clinic.timeZone(),
            ...(opts.now ? { now: opts.now } : {}),
          })
    this.#receipts = this.#fiscal ? this.#paymentReceipts(this.#fiscal) : undefined
    this.#api = createHandlers({
      fiscal: () => {
        if (!this.#fiscal) throw new DeskError("unavailable", "this desk has no cash register (--fiscal emulator | atol:URL)")
        return this.#fiscal
      },
      ctx: this.#context(),
      status: () => this.status(),
      syncNow: () => this.#syncNow(),
      profile: () => this.#clinic.view(new Date(this.#now())),
      histories: new RecordHistories(
        (key, fn) => this.docs.use(key, handle => fn(handle.doc())),
        staffNames(() => this.rm.getStaff()),
      ),
      session: this.#session,
    })
    this.ready = this.#follower.start()
  }

  /** Opens a desk. Searches answer from the read model at once; documents load in the background. */
  static async open(opts: DeskOptions): Promise<DeskCore> {
    return new DeskCore(opts)
  }

  /** Where a new desk's bootstrap spent its time (all 0 for a desk that had its clinic already). */
  bootstrapTimings(): BootstrapPhases {
    return { ...this.#bootstrap.timings.phases }
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
    return this.#events.on(listener)
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
      deskCode: this.opts.deskCode,
      clinicId: this.opts.clinicId,
      server: this.opts.server ?? null,
      peers: this.sync.peers(),
      lanPeers: this.sync.peers().filter(p => p.kind === "desk").length,
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#durable.close()
    this.#events.close()
    this.#problems.close()
    this.#follower.close()
    this.sync.close()
    this.#reporter?.close()
    this.#scheduler.close()
    this.#receipts?.close()
    await this.#fiscal?.close()
    await this.ready.catch(() => undefined)
    // a new desk's bootstrap writes documents and the read model: it stops before they close
    await this.#follower.closed()
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

  /** who makes a change: this desk and the signed-in staff member ("" until sign-in exists) */
  #author(): ChangeAuthor {
    return { desk: this.opts.deskId, staff: this.#session.staffId(), cmd: "" }
  }

  /** Payments' receipts on this desk's register: the outcome is written as the desk's own change, signed in or not. */
  #paymentReceipts(fiscal: FiscalDesk): PaymentReceipts {
    const system: CommandContext = { ...this.#context(), write: (key, fn, records) => this.#commandDocs.write(key, fn, records) }
    return new PaymentReceipts({
      fiscal,
      vatOf: id => this.rm.priceList.get(id)?.vat,
      fiscalStateOf: (invoiceId, paymentId) =>
        this.rm.invoices.get(invoiceId)?.payments.find(p => p.id === paymentId)?.fiscalState,
      client: id => this.rm.clients.get(id),
      cashier: () => {
        const staff = this.#session.current().staff
        return staff ? { name: staff.name } : undefined
      },
      record: (invoiceId, paymentIds, outcome) => recordFiscal(system, invoiceId, paymentIds, outcome),
      log: (message, detail) => this.log.warn(detail, message),
    })
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
      write: async (key, fn, records) => {
        this.#session.requireForWrite()
        return this.#commandDocs.write(key, fn, records)
      },
      readFromDoc: (key, collection, id) => this.#commandDocs.read(key, collection, id),
      staff: () => this.#author().staff,
      ...(this.#receipts ? { receipts: this.#receipts } : {}),
    }
  }

  /** A document's changes went into the read model (ReadModelScheduler): what follows from them. */
  #updated(result: UpdateResult | undefined): void {
    void this.#follower.trim()
    if (!result) return
    if (result.profile) this.#profileChanged()
    if (result.staff) this.#session.refresh()
    for (const p of result.partitions) if (isDocKey(p)) this.#follower.partitionListed(p)
    if (result.collections.length) this.#events.emit({ type: "records-changed", collections: result.collections })
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
    this.#events.emit({ type: "profile", profile: this.#clinic.view(new Date(this.#now())) })
    this.#events.emit({ type: "records-changed", collections: ["appointments", "invoices"] })
  }
}
