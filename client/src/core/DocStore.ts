import { createHash } from "node:crypto"
import * as A from "@automerge/automerge"
import {
  Repo,
  type DocHandle,
  type DocumentId,
  type NetworkAdapterInterface,
  type PeerId,
} from "@automerge/automerge-repo"
import {
  hasAllHeads,
  ClinicLayout,
  ClosableStorageAdapter,
  ConsistentLoadStorage,
  SafeFsStorageAdapter,
  GenesisFallbackStorage,
  unloadFromRepo,
  isServerOwned,
  type AnyClinicDoc,
  type DocKey,
} from "@vetsync/shared"
import { ClinicGenesis } from "./ClinicGenesis.js"
import { GatedNetworkAdapter } from "./GatedNetworkAdapter.js"
import { MessageGate } from "./MessageGate.js"
import { RefCounts } from "./RefCounts.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

const DEBUG = process.env.VETSYNC_DEBUG?.includes("docs") ?? false
/** a line per sync message in and out, with the heads it names (VETSYNC_DEBUG=wire) */
const WIRE = process.env.VETSYNC_DEBUG?.includes("wire") ?? false

export type ClinicHandle = DocHandle<AnyClinicDoc>

export interface DocStoreOptions {
  docsDir: string
  clinicId: string
  peerId: string
  network: NetworkAdapterInterface[]
  /** where its lines go (the desk's logger, with clinic and desk); default the process's */
  log?: Logger
}

/**
 * The desk's Automerge documents: an automerge-repo Repo over SafeFsStorageAdapter.
 * Documents are opened lazily, by key; a document that is not on disk yet starts from its
 * deterministic genesis (ClinicGenesis). Every write is flushed to disk (fsync) before it is
 * acknowledged.
 */
export class DocStore {
  readonly repo: Repo
  readonly storage: SafeFsStorageAdapter
  readonly layout: ClinicLayout
  readonly #handles = new Map<DocumentId, ClinicHandle>()
  readonly #opening = new Map<DocumentId, Promise<ClinicHandle>>()
  readonly #listeners = new Set<(key: DocKey, handle: ClinicHandle) => void>()
  readonly #unloading = new Map<DocumentId, Promise<void>>()
  /** when each open document was last used (opened, changed, written) */
  readonly #usedAt = new Map<DocumentId, number>()
  /** documents a command is using right now: never unloaded under it */
  readonly #pins = new RefCounts<DocumentId>()
  /** documents with a local change being written to disk */
  readonly #saving = new RefCounts<DocumentId>()
  readonly #gate = new MessageGate()
  /** adapters added after the start (LAN peers found by mDNS), each behind its gate */
  readonly #added = new Map<NetworkAdapterInterface, GatedNetworkAdapter>()
  /** documents unloaded at least once since this store opened */
  readonly #unloadedBefore = new Set<DocumentId>()
  readonly #genesis: ClinicGenesis
  /** in front of the disk: after close() the repo's late throttled saves write nothing */
  readonly #closable: ClosableStorageAdapter
  readonly #log: Logger
  readonly #trace: ((line: string) => void) | undefined

  constructor(opts: DocStoreOptions) {
    this.layout = new ClinicLayout(opts.clinicId)
    this.#log = opts.log ?? rootLogger()
    this.#trace = WIRE ? line => this.#log.info(line) : undefined
    this.storage = new SafeFsStorageAdapter(opts.docsDir)
    this.storage.sweepTemporaryFiles()
    this.#closable = new ClosableStorageAdapter(this.storage)
    this.#genesis = new ClinicGenesis(opts.clinicId, this.layout)
    this.repo = new Repo({
      storage: new GenesisFallbackStorage(
        new ConsistentLoadStorage(this.#closable, id => this.storage.chunkNames(id)),
        id => this.#genesis.ofId(id),
        id => this.storage.hasDocument(id),
      ),
      network: opts.network.map(a => new GatedNetworkAdapter(a, this.#gate, this.#trace)),
      peerId: opts.peerId as PeerId,
      // neither side persists per-peer sync state (2.5.6 throttles those saves across documents,
      // and stale ones left a restarted desk without replies): every connection starts fresh
      isEphemeral: true,
      // another desk (a LAN peer, issue 15) syncs only the clinic's own documents with this one,
      // and never a server-owned one: those come from the relay only, so no desk's write to them
      // can arrive over the LAN, nor another clinic's document (by its id) or one of no clinic;
      // nor is a desk offered what it would refuse
      shareConfig: {
        announce: async (peer, id) => this.#sharesWith(peer, id),
        access: async (peer, id) => this.#sharesWith(peer, id),
      },
    })
  }

  /** A document this desk syncs with `peer`: with a desk, only its clinic's own documents that are not server-owned. */
  #sharesWith(peer: PeerId, id: DocumentId | undefined): boolean {
    if (!peer.startsWith("desk:")) return true
    const key = id === undefined ? undefined : this.#genesis.keyOf(id)
    return key !== undefined && !isServerOwned(key)
  }

  /** Takes one more network adapter (a LAN peer found after the start): its peer syncs like the others. */
  addNetwork(adapter: NetworkAdapterInterface): void {
    if (this.#added.has(adapter)) return
    const gated = new GatedNetworkAdapter(adapter, this.#gate, this.#trace)
    this.#added.set(adapter, gated)
    this.repo.networkSubsystem.addNetworkAdapter(gated)
  }

  /** Lets an adapter given by addNetwork go (disconnecting it). */
  removeNetwork(adapter: NetworkAdapterInterface): void {
    const gated = this.#added.get(adapter)
    if (!gated) return
    this.#added.delete(adapter)
    this.repo.networkSubsystem.removeNetworkAdapter(gated)
  }

  /** Called for every opened document when it is opened and whenever its heads change. */
  onDocument(listener: (key: DocKey, handle: ClinicHandle) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * The key of a document id of the clinic: one the layout knows, or a month partition it learns
   * here (a peer's first message about a partition can come before the root that lists it).
   */
  keyOf(id: DocumentId): DocKey | undefined {
    const key = this.layout.keyOf(id) ?? this.#genesis.keyOf(id)
    if (key !== undefined) this.layout.add(key)
    return key
  }

  isOpen(key: DocKey): boolean {
    return this.#handles.has(this.layout.idOf(key))
  }

  /** The open document holds every one of `heads` (false if it is not open or not ready). */
  holds(key: DocKey, heads: string[]): boolean {
    const handle = this.#handles.get(this.layout.idOf(key))
    return handle?.isReady() === true && hasAllHeads(handle.doc(), heads)
  }

  handleOf(key: DocKey): ClinicHandle | undefined {
    return this.#handles.get(this.layout.idOf(key))
  }

  openHandles(): { key: DocKey; handle: ClinicHandle }[] {
    const out: { key: DocKey; handle: ClinicHandle }[] = []
    for (const [id, handle] of this.#handles) {
      const key = this.layout.keyOf(id)
      if (key) out.push({ key, handle })
    }
    return out
  }

  /** True when the document has any chunk on this desk's disk. */
  isLocal(key: DocKey): boolean {
    return this.storage.hasDocument(this.layout.idOf(key))
  }

  async open(key: DocKey): Promise<ClinicHandle> {
    const id = this.layout.idOf(key)
    const open = this.#handles.get(id)
    this.#usedAt.set(id, Date.now())
    if (open) return open
    const unloading = this.#unloading.get(id)
    if (unloading) await unloading
    let pending = this.#opening.get(id)
    if (!pending) {
      pending = this.#open(key, id).finally(() => this.#opening.delete(id))
      this.#opening.set(id, pending)
    }
    return pending
  }

  async #open(key: DocKey, id: DocumentId): Promise<ClinicHandle> {
    const t0 = performance.now()
    // a document with nothing on disk loads as its genesis (GenesisFallbackStorage): every desk may
    // start it, write to it offline, and let the sync bring the rest
    const handle = await this.repo.find<AnyClinicDoc>(id, { allowableStates: ["ready"] })
    if (this.#unloadedBefore.has(id)) {
      // automerge-repo 2.5.6: a sync message already being handled when the document unloaded
      // (CollectionSynchronizer awaits the access check and find) can bind the document's
      // synchronizer to the old handle, and then never binds the new one: the document stays open
      // and deaf to the relay. A reopened document gets a synchronizer of its own handle.
      this.repo.synchronizer.removeDocument(id)
      this.repo.synchronizer.addDocument(handle)
    }
    this.#handles.set(id, handle)
    if (DEBUG) this.#log.info(`open ${key} ${(performance.now() - t0).toFixed(0)} ms`)
    handle.on("heads-changed", () => {
      this.#usedAt.set(id, Date.now())
      this.#emit(key, handle)
    })
    this.#emit(key, handle)
    return handle
  }

  #emit(key: DocKey, handle: ClinicHandle): void {
    for (const l of this.#listeners) {
      try {
        l(key, handle)
      } catch (e) {
        this.#log.error({ err: e }, `document listener failed for ${key}`)
      }
    }
  }

  /**
   * Runs `fn` with the document's open handle, which is not unloaded until `fn` settles (a write
   * must not lose its handle between the change, the flush and the read-model update).
   */
  async use<R>(key: DocKey, fn: (handle: ClinicHandle) => Promise<R> | R): Promise<R> {
    const id = this.layout.idOf(key)
    for (;;) {
      const handle = await this.open(key)
      // open() may have resolved just as an unload began: take the handle only if it is still the one
      if (this.#handles.get(id) !== handle || this.#unloading.has(id) || !handle.isReady()) continue
      this.#pins.add(id)
      try {
        await this.#ensureLoaded(key, handle)
        return await fn(handle)
      } finally {
        this.#pins.release(id)
        this.#usedAt.set(id, Date.now())
      }
    }
  }

  /** Applies one change to an open (pinned) document and returns once it is on disk. */
  async change<T extends AnyClinicDoc>(handle: ClinicHandle, fn: (doc: T) => void, message?: string): Promise<void> {
    const id = handle.documentId
    this.#saving.add(id)
    try {
      handle.change(d => fn(d as T), message ? { message } : {})
      await this.repo.flush([id])
    } finally {
      this.#saving.release(id)
    }
  }

  /**
   * True while a local change of the document is in memory but not yet on disk. The read model
   * must not take such a change (a crash would leave it showing a record that no disk holds, and
   * waiting for heads that never come); the write records it once it is saved.
   */
  isSaving(key: DocKey): boolean {
    return this.#saving.has(this.layout.idOf(key))
  }

  /**
   * A layout document is never empty: every copy starts from its genesis. A handle holding an
   * empty document (automerge-repo resets a handle's document when it times out loading, then
   * takes it as ready when a peer's message arrives) gets its genesis and what this desk stored
   * of it merged in, so a write lands in the collections every copy has instead of failing.
   */
  async #ensureLoaded(key: DocKey, handle: ClinicHandle): Promise<void> {
    if (A.getHeads(handle.doc()).length > 0) return
    this.#log.error(`${key} was empty in memory: loading its genesis and stored chunks`)
    const id = handle.documentId
    const chunks = [
      ...(await this.storage.loadRange([id, "snapshot"])),
      ...(await this.storage.loadRange([id, "incremental"])),
    ]
    handle.update(d => {
      let doc = A.loadIncremental(d, this.#genesis.of(key))
      for (const c of chunks) if (c.data) doc = A.loadIncremental(doc, c.data)
      return doc
    })
  }

  /**
   * Takes a whole saved document (from the relay's bundle): merged into the handle when the
   * document is in memory, otherwise written to disk as one more chunk (the next load merges it).
   */
  async importWhole(key: DocKey, bytes: Uint8Array): Promise<void> {
    const id = this.layout.idOf(key)
    const handle = this.#handles.get(id) ?? (this.repo.handles[id] as ClinicHandle | undefined)
    if (handle && handle.state !== "loading" && handle.state !== "unloaded" && handle.state !== "deleted") {
      const waiting = !handle.isReady()
      handle.update(d => A.loadIncremental(d, bytes))
      if (waiting) handle.doneLoading()
      await this.repo.flush([id])
      return
    }
    // through the closable storage: a bundle still arriving as the desk closes writes nothing after close()
    await this.#closable.save([id, "snapshot", createHash("sha256").update(bytes).digest("hex")], bytes)
  }

  /**
   * Drops a document from memory (its JS materialization costs about twice its data). The relay
   * keeps sending its changes for the rest of the connection, and automerge-repo loads it from
   * disk again when one arrives; open() brings it back too.
   */
  async unload(key: DocKey): Promise<void> {
    const id = this.layout.idOf(key)
    const handle = this.#handles.get(id)
    if (!handle || this.#opening.has(id) || this.#unloading.has(id) || this.#pins.has(id)) return
    this.#handles.delete(id)
    this.#usedAt.delete(id)
    this.#unloadedBefore.add(id)
    if (DEBUG) this.#log.info(`unload ${key}`)
    // messages for it wait until it is gone, then reach a fresh handle loaded from disk
    this.#gate.hold(id)
    const done = (async () => {
      await this.repo.flush([id])
      // everything is on disk now; the handle leaves with no listener (unloadFromRepo: automerge-repo
      // 2.5.6 saved the emptied document, and its synchronizer waited 60 s for a ready handle)
      await unloadFromRepo(this.repo, id)
    })().finally(() => {
      this.#unloading.delete(id)
      this.#gate.release(id)
    })
    this.#unloading.set(id, done)
    await done
  }

  /** Open documents, least recently used first. */
  leastRecentlyUsed(): { key: DocKey; handle: ClinicHandle; usedAt: number }[] {
    return this.openHandles()
      .map(h => ({ ...h, usedAt: this.#usedAt.get(h.handle.documentId) ?? 0 }))
      .sort((a, b) => a.usedAt - b.usedAt)
  }

  /**
   * Gives an open document a fresh synchronizer, whose first message to every peer starts the
   * exchange over. For a document that stays open but stopped hearing the relay (see #open): the
   * relay holds heads it lacks and nothing arrives. False if the document is not open.
   */
  resync(key: DocKey): boolean {
    const id = this.layout.idOf(key)
    const handle = this.#handles.get(id)
    if (!handle?.isReady()) return false
    if (DEBUG) this.#log.info(`resync ${key}`)
    this.repo.synchronizer.removeDocument(id)
    this.repo.synchronizer.addDocument(handle)
    return true
  }

  static heads(handle: ClinicHandle): string[] {
    return A.getHeads(handle.doc())
  }

  async close(): Promise<void> {
    for (const a of this.repo.networkSubsystem.adapters) a.disconnect()
    await Promise.allSettled(this.#unloading.values())
    await this.repo.flush([...this.#handles.keys()])
    // everything is on disk: saves automerge-repo's throttle fires later would race the next opener of this directory
    await this.#closable.close()
  }
}
