import { randomBytes, randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeHeads, type NetworkAdapterInterface, type UrlHeads } from "@automerge/automerge-repo"
import { isDocKey, kindOfKey, readRecord, type AnyClinicDoc, type AnyRecord, type DocKey, type RootDoc, sameHeads } from "@vetsync/shared"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import { DeskError, type DeskApi, type DeskArgs, type DeskCommand, type DeskEvent, type DeskResult, type DeskStatus } from "./api.js"
import { Bootstrapper, snapshotUrl } from "./Bootstrapper.js"
import { recordFromDoc, type CommandContext } from "./commands/context.js"
import { DocStore, type ClinicHandle } from "./DocStore.js"
import { createHandlers } from "./handlers.js"
import { ReadModel } from "./readmodel/ReadModel.js"
import { ReadModelUpdater } from "./ReadModelUpdater.js"
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
}

const ROOT: DocKey = "root"
/** documents that stay loaded: small, and read on every start */
const PINNED = new Set<DocKey>(["root", "pricelist", "rejections"])
/** at most this many other documents stay in memory once they are in sync with the relay */
const MAX_LOADED = 8

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
  #trimming = false
  #subscribing = false
  /** false while a new desk takes the relay's snapshot and bundle: documents are not opened one by one meanwhile */
  #settled: boolean
  #abortSnapshot: (() => void) | undefined
  readonly #relayWaiters = new Set<() => void>()
  #error: string | null = null
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
    if (opts.server) {
      const adapter = new ResilientWebSocketClientAdapter(opts.server, { headers: this.#headers() })
      adapter.on("connection", e => {
        const auth = e.error !== undefined && /\b(401|403)\b/.test(e.error)
        this.#error = auth ? `the relay refused this desk: ${e.error}` : null
        this.#statusChanged()
      })
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
    this.sync = new SyncTracker(this.docs, this.rm, () => this.#statusChanged())
    this.#bootstrap = new Bootstrapper(this.rm, this.docs, () => this.#statusChanged())
    this.#settled = !opts.server || this.#bootstrap.phase === "done"
    this.sync.onRelayUp = () => {
      for (const w of [...this.#relayWaiters]) w()
      void this.#subscribeAll()
    }
    this.docs.repo.networkSubsystem.on("peer-disconnected", () => {
      if (!this.sync.online) this.#abortSnapshot?.()
    })
    for (const { key } of this.rm.allDocHeads()) if (isDocKey(key)) this.docs.layout.add(key)
    this.docs.onDocument((key, handle) => {
      if (this.#closed) return
      this.sync.attach(key, handle)
      this.#scheduleUpdate(key, handle)
    })
    this.docs.repo.networkSubsystem.on("message", msg => {
      const key = "documentId" in msg && msg.documentId ? this.docs.layout.keyOf(msg.documentId) : undefined
      if (key && !this.docs.isOpen(key) && this.#settled) {
        if (process.env.VETSYNC_DEBUG) console.error(`[desk] message ${msg.type} for closed ${key}`)
        void this.#openQuietly(key)
      }
    })
    this.#api = createHandlers({ ctx: this.#context(), status: () => this.status(), syncNow: () => this.#syncNow() })
    this.ready = this.#start()
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
    const state = this.#error ? "error" : !online ? "offline" : waiting > 0 || bootstrapping ? "syncing" : "online"
    return {
      state,
      online,
      waitingRecords: waiting,
      lastSyncedAt: this.sync.lastSyncedAt(),
      error: this.#error,
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
    this.#abortSnapshot?.()
    for (const w of [...this.#relayWaiters]) w()
    for (const t of this.#pendingUpdates.values()) clearTimeout(t)
    await this.ready.catch(() => undefined)
    await this.docs.close()
    this.rm.close()
  }

  #headers(): Record<string, string> {
    const auth: Record<string, string> = this.opts.credential ? { authorization: `Bearer ${this.opts.credential}` } : {}
    return { "x-vetsync-clinic": this.opts.clinicId, "x-vetsync-desk": this.opts.deskId, ...auth, ...(this.opts.headers ?? {}) }
  }

  #now(): string {
    return (this.opts.now?.() ?? new Date()).toISOString()
  }

  #context(): CommandContext {
    return {
      rm: this.rm,
      deskId: this.opts.deskId,
      deskCode: this.opts.deskCode,
      now: () => this.#now(),
      newId: () => randomUUID(),
      write: (key, fn, records) => this.#write(key, fn as (d: AnyClinicDoc) => void, records),
      readFromDoc: async (key, collection, id) => {
        const handle = await this.docs.open(key)
        const r = recordFromDoc(handle.doc(), collection, id)
        if (!r && this.#bootstrap.running && this.rm.getDocHeads(handle.documentId))
          throw new DeskError("not_found", `${collection}/${id} is still downloading to this desk; try again in a moment`)
        return r
      },
    }
  }

  async #write(key: DocKey, fn: (d: AnyClinicDoc) => void, records: { collection: AnyRecord["collection"]; id: string }[]): Promise<void> {
    if (kindOfKey(key) !== "root") await this.#listPartition(key)
    const id = this.docs.layout.idOf(key)
    this.sync.beforeLocalChange(key, id)
    let handle: ClinicHandle
    try {
      handle = await this.docs.change(key, fn)
    } catch (e) {
      this.#error = `could not save: ${(e as Error).message}`
      this.#statusChanged()
      throw new DeskError("internal", `could not save the change: ${(e as Error).message}`)
    }
    const doc = handle.doc()
    const written = records.map(r => readRecord(doc, r.collection, r.id)).filter((r): r is AnyRecord => r !== undefined)
    const result = this.#updater.update(key, handle)
    const collections = this.#updater.applyRecords(doc, written)
    this.sync.recount(key, handle)
    this.#emit({ type: "records-changed", collections: [...new Set([...collections, ...(result?.collections ?? [])])] })
  }

  /** A shard or month partition is listed in the root document the first time it is written. */
  async #listPartition(key: DocKey): Promise<void> {
    const root = await this.docs.open(ROOT)
    if ((root.doc() as RootDoc).partitions?.[key]) return
    await this.docs.change<RootDoc>(ROOT, d => {
      d.partitions[key] = true
    })
  }

  async #start(): Promise<void> {
    // documents with unacknowledged changes first: automerge-repo never pushes a document it has not loaded
    for (const key of [...this.sync.dirtyKeys(), ROOT, "pricelist", "rejections"] as DocKey[]) await this.#openQuietly(key)
    if (this.opts.server) void this.#runBootstrap()
  }

  async #runBootstrap(): Promise<void> {
    const server = this.opts.server
    if (!server) return
    for (let attempt = 0; this.#bootstrap.phase === "none" && !this.#closed; attempt++) {
      // the snapshot comes from the relay: wait for it, and give up on a download when it goes away
      await this.#relayUp()
      if (this.#closed) return
      const abort = new AbortController()
      this.#abortSnapshot = () => abort.abort(new Error("the relay went away"))
      try {
        await this.#bootstrap.loadSnapshot(server, this.opts.clinicId, this.#headers(), abort.signal)
        this.#emit({ type: "records-changed", collections: ["clients", "patients", "appointments", "invoices"] })
      } catch (e) {
        if (attempt === 0) console.warn(`[desk] snapshot not loaded yet: ${(e as Error).message}`)
        await new Promise(r => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)))
      } finally {
        this.#abortSnapshot = undefined
      }
    }
    // then every document: whole from the relay's bundle, or else one by one through sync
    if (this.#bootstrap.phase === "documents") await this.#relayUp()
    for (let attempt = 1; this.#bootstrap.phase === "documents" && this.sync.online && !this.#closed; attempt++) {
      try {
        await this.#bootstrap.loadDocuments(server, this.opts.clinicId, this.#headers())
        break
      } catch (e) {
        const why = `${(e as Error).message}${(e as Error).cause ? ` (${String((e as Error).cause)})` : ""}`
        if (attempt >= 3) {
          console.warn(`[desk] document bundle not loaded, syncing documents one by one: ${why}`)
          break
        }
        console.warn(`[desk] document bundle not loaded (attempt ${attempt}), retrying: ${why}`)
        await new Promise(r => setTimeout(r, 1000 * attempt))
      }
    }
    const keys = this.#bootstrap.targetKeys().filter(k => !this.docs.isOpen(k) && !this.#bootstrap.isCaughtUp(k))
    for (let i = 0; i < keys.length && !this.#closed; i += 4) await Promise.all(keys.slice(i, i + 4).map(k => this.#openQuietly(k)))
    this.#bootstrap.check()
    this.#settled = true
    void this.#trimMemory()
    // documents created after the snapshot, and any the relay holds differently by now
    void this.#subscribeAll()
  }

  /** Resolves when a relay is connected (or the desk closes). */
  #relayUp(): Promise<void> {
    if (this.sync.online || this.#closed) return Promise.resolve()
    return new Promise(resolve => {
      const done = (): void => {
        this.#relayWaiters.delete(done)
        resolve()
      }
      this.#relayWaiters.add(done)
    })
  }

  /**
   * On every relay connection, opens each document of the clinic once (a few at a time) so the
   * relay knows this desk follows it and sends its changes for the rest of the connection;
   * documents in sync are unloaded again by #trimMemory.
   */
  async #subscribeAll(): Promise<void> {
    // a new desk gets the documents from the relay's bundle first (#runBootstrap subscribes
    // afterwards): opening them through sync meanwhile would compete with it
    if (this.#subscribing || !this.#settled) return
    this.#subscribing = true
    try {
      const root = await this.docs.open(ROOT)
      for (const p of Object.keys((root.doc() as RootDoc).partitions ?? {})) if (isDocKey(p)) this.docs.layout.add(p)
      const relayHeads = await this.#relayHeads()
      for (const k of Object.keys(relayHeads ?? {})) if (isDocKey(k)) this.docs.layout.add(k)
      // the documents of the clinic that exist (listed in the root, on this desk's disk, or at the
      // relay) and that the relay holds differently from what this desk's read model reflects
      const keys = this.docs.layout.keys().filter(k => {
        if (this.docs.isOpen(k)) return false
        if (!relayHeads) return this.docs.isLocal(k) || (root.doc() as RootDoc).partitions?.[k]
        const theirs = relayHeads[k]
        if (theirs === undefined) return this.docs.isLocal(k)
        const ours = this.rm.getDocHeads(this.docs.layout.idOf(k))
        return ours === undefined || !sameHeads(ours, decodeHeads(theirs as UrlHeads))
      })
      if (process.env.VETSYNC_DEBUG) console.error(`[desk] subscribeAll: ${keys.length} to open, relayHeads ${relayHeads ? "yes" : "no"}`)
      for (let i = 0; i < keys.length && !this.#closed && this.sync.online; i += 4)
        await Promise.all(keys.slice(i, i + 4).map(k => this.#openQuietly(k)))
    } finally {
      this.#subscribing = false
    }
  }

  /** The relay's current heads of every document of the clinic, or undefined if it cannot say. */
  async #relayHeads(): Promise<Record<string, string[]> | undefined> {
    if (!this.opts.server) return undefined
    try {
      const res = await fetch(snapshotUrl(this.opts.server, this.opts.clinicId, "heads"), {
        headers: this.#headers(),
        signal: AbortSignal.timeout(30_000),
      })
      return res.ok ? ((await res.json()) as Record<string, string[]>) : undefined
    } catch {
      return undefined
    }
  }

  async #openQuietly(key: DocKey): Promise<void> {
    try {
      await this.docs.open(key)
    } catch (e) {
      console.error(`[desk] could not open ${key}: ${(e as Error).message}`)
    }
  }

  #scheduleUpdate(key: DocKey, handle: ClinicHandle): void {
    if (this.#pendingUpdates.has(key)) return
    this.#pendingUpdates.set(
      key,
      setTimeout(() => {
        this.#pendingUpdates.delete(key)
        // the document may have been unloaded meanwhile: its changes are in the read model already
        if (this.#closed || this.docs.handleOf(key) !== handle || !handle.isReady()) return
        try {
          const result = this.#updater.update(key, handle)
          this.sync.recount(key, handle)
          this.#bootstrap.check()
          void this.#trimMemory()
          if (!result) return
          // a new partition listed in the root: open it to receive its records (a desk still taking
          // the relay's snapshot and bundle gets them from there; #subscribeAll opens the rest after)
          if (this.#settled) for (const p of result.partitions) if (isDocKey(p) && !this.docs.isOpen(p)) void this.#openQuietly(p)
          if (result.collections.length) this.#emit({ type: "records-changed", collections: result.collections })
        } catch (e) {
          console.error(`[desk] could not update the read model from ${key}:`, e)
        }
      }, 25),
    )
  }

  /**
   * Keeps memory bounded: beyond MAX_LOADED, unloads the least recently used documents that hold
   * nothing the relay lacks and that the read model fully reflects.
   */
  async #trimMemory(): Promise<void> {
    if (this.#trimming || this.#closed) return
    this.#trimming = true
    try {
      const open = this.docs.leastRecentlyUsed().filter(h => !PINNED.has(h.key))
      let excess = open.length - MAX_LOADED
      for (const { key, handle } of open) {
        if (excess <= 0) break
        if (this.#pendingUpdates.has(key) || !this.#bootstrap.isCaughtUp(key) || !this.sync.isSettled(handle)) continue
        const recorded = this.rm.getDocHeads(handle.documentId)
        if (!recorded || !sameHeads(recorded, DocStore.heads(handle))) continue
        await this.docs.unload(key)
        excess--
      }
    } catch (e) {
      console.error("[desk] unloading documents failed:", e)
    } finally {
      this.#trimming = false
    }
  }

  #syncNow(): DeskStatus {
    for (const a of this.#adapters) a.connectNow()
    return this.status()
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
