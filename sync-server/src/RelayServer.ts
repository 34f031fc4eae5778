import * as os from "node:os"
import * as path from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import {
  ClosableStorageAdapter,
  ConsistentLoadStorage,
  GenesisFallbackStorage,
  SafeFsStorageAdapter,
  WasmHeadroom,
  genesisBinary,
} from "@vetsync/shared"
import { ClinicLeases } from "@vetsync/db"
import {
  HardenedWebSocketServerAdapter,
  metricsAllowed,
  RELAY_LEASE_MS,
  relayLeaseRenewMs,
} from "@vetsync/shared/net"
import { AdminAccess } from "./admin/AdminAccess.js"
import type { Authenticator, Identity } from "./Authenticator.js"
import { announceChanged } from "./announceChanged.js"
import { BuildQueue } from "./BuildQueue.js"
import { storedBinary } from "./ClinicDocSource.js"
import { DevAuthenticator } from "./DevAuthenticator.js"
import { DeskReports } from "./DeskReports.js"
import { ClinicHandover } from "./ClinicHandover.js"
import { DocOwnership } from "./DocOwnership.js"
import { DurableAcks } from "./DurableAcks.js"
import { IdleUnloader } from "./IdleUnloader.js"
import { LeanHandles } from "./LeanHandles.js"
import { MemoryTrace } from "./MemoryTrace.js"
import { RelayGate } from "./RelayGate.js"
import { ReadModelImages, type ImageMeta } from "./ReadModelImages.js"
import { RelayMetrics } from "./RelayMetrics.js"
import { relayReadiness, type Readiness } from "./relayReadiness.js"
import { RelayPolicy } from "./RelayPolicy.js"
import type { RelayDocuments, RelayLeaseOptions, RelayServerOptions } from "./relayServerOptions.js"
import { SnapshotBuilder } from "./SnapshotBuilder.js"
import { SnapshotFiles } from "./SnapshotFiles.js"
import type { LineLog, LogFields } from "@vetsync/shared/log"


/**
 * The sync relay: an ephemeral-peer Repo that stores documents with SafeFsStorageAdapter,
 * behind its front door (RelayGate: HTTP(S), enrolment, bootstrap downloads, the authenticated
 * `/sync` upgrade) and its rules (RelayPolicy: clinics kept apart, server-owned documents,
 * what is announced to whom). The desk is told when what it sent is on disk (DurableAcks).
 */
export class RelayServer {
  readonly repo: Repo
  readonly adapter: HardenedWebSocketServerAdapter
  readonly ownership: DocOwnership
  readonly storage: RelayDocuments
  readonly #docsDir: string
  readonly peerId: PeerId
  readonly #closable: ClosableStorageAdapter
  readonly #policy: RelayPolicy
  readonly #gate: RelayGate
  readonly #auth: Authenticator
  readonly #snapshots: SnapshotBuilder
  readonly #images: ReadModelImages | undefined
  readonly #closeImageBuilds: (() => Promise<void>) | undefined
  readonly metrics: RelayMetrics
  readonly #durable: DurableAcks
  /** unloads documents no peer touched for a while (undefined: never) */
  readonly idle: IdleUnloader | undefined
  readonly lean: LeanHandles | undefined
  readonly #log: LineLog
  readonly #startedAt = Date.now()
  /** each desk's newest report since the start (the per-clinic gauges) */
  readonly reports = new DeskReports()
  /** the clinic leases this relay holds (undefined: a relay alone, every desk served here) */
  leases: ClinicLeases | undefined
  #handover: ClinicHandover | undefined
  #memoryTrace: MemoryTrace | undefined
  /** the main thread's wasm memory room (undefined: turned off) */
  readonly wasmHeadroom: WasmHeadroom | undefined
  #closed = false

  private constructor(opts: RelayServerOptions, ownership: DocOwnership) {
    const log = (this.#log = opts.log ?? (() => undefined))
    this.#auth = opts.authenticator ?? new DevAuthenticator()
    this.ownership = ownership
    for (const clinic of opts.clinics ?? []) ownership.registerClinic(clinic)
    if (opts.documents) {
      this.storage = opts.documents
      this.#docsDir = opts.dataDir
    } else {
      const files = new SafeFsStorageAdapter(path.join(opts.dataDir, "docs"))
      files.sweepTemporaryFiles()
      this.storage = files
      this.#docsDir = files.baseDirectory
    }
    this.#closable = new ClosableStorageAdapter(this.storage)
    this.#policy = new RelayPolicy({
      ownership,
      identityOf: peerId => this.adapter.identityOf(peerId),
      tell: (peerId, text) => this.adapter.tell(peerId, text),
      seen: identity => this.#auth.seen?.(identity),
      changed: (clinicId, docId) => this.#snapshots.noteChanges(clinicId, docId),
      announced: (peerId, docId, heads) => this.#durable.note(peerId, docId, heads),
      reannounce: docIds =>
        void announceChanged({
          docIds,
          peers: this.repo.peers,
          synchronizerOf: docId => this.repo.synchronizer.docSynchronizers[docId],
          announce: (peerId, docId) => this.#policy.shareConfig.announce(peerId, docId),
        }).catch(e => log(`announcing changed documents failed: ${(e as Error).message}`)),
      resync: docId => {
        const handle = this.repo.handles[docId]
        if (!handle) return
        this.repo.synchronizer.removeDocument(docId)
        this.repo.synchronizer.addDocument(handle)
      },
      log,
    })
    this.adapter = new HardenedWebSocketServerAdapter({
      keepAliveMs: opts.keepAliveMs ?? 30_000,
      log,
      rateLimit: opts.rateLimit,
      inspect: (identity, frame) => {
        this.idle?.touch(frame.message.documentId)
        this.lean?.note(frame.message.documentId)
        return this.#policy.inspect(identity, frame)
      },
    })
    this.adapter.on("peer-candidate", ({ peerId }) => {
      this.#policy.joined(peerId)
      log(`peer joined: ${peerId}`, peerFields(this.adapter.identityOf(peerId), peerId))
    })
    this.adapter.on("peer-disconnected", ({ peerId }) => {
      const fields = peerFields(this.adapter.identityOf(peerId), peerId)
      this.#policy.left(peerId)
      this.#durable.forget(peerId)
      log(`peer left: ${peerId}`, fields)
    })
    this.peerId = `relay:${opts.name ?? "main"}` as PeerId
    // a layout document of a known clinic with nothing on disk loads as its genesis instead of
    // being requested from the desks (see GenesisFallbackStorage for the 2.5.6 race this avoids)
    const genesisOf = (id: string): Uint8Array | undefined => {
      const clinic = ownership.ownerOf(id)
      const key = ownership.layoutKeyOf(id)
      return clinic !== undefined && key !== undefined ? genesisBinary(clinic, key) : undefined
    }
    this.repo = new Repo({
      storage: new GenesisFallbackStorage(
        new ConsistentLoadStorage(this.#closable, id => this.storage.chunkNames(id)),
        genesisOf,
        id => this.storage.hasDocument(id),
      ),
      network: [this.adapter],
      peerId: this.peerId,
      isEphemeral: true,
      // desks ask for the documents whose heads differ from their own (GET /clinics/:id/heads) and
      // are sent those that change while they are connected; pushing every document of the clinic
      // at once flooded a bootstrapping desk. A service (the bridge) is sent everything.
      shareConfig: this.#policy.shareConfig,
    })
    this.#durable = new DurableAcks({
      repo: this.repo,
      send: (peerId, documentId, heads) => this.adapter.sendControl(peerId, { type: "durable", documentId, heads }),
      log,
    })
    this.wasmHeadroom = opts.wasmHeadroom === false ? undefined : new WasmHeadroom({ log, ...opts.wasmHeadroom })
    this.lean = opts.leanDocs === false ? undefined : new LeanHandles({ repo: this.repo })
    const idleMs = opts.idleUnloadMs ?? DEFAULT_IDLE_UNLOAD_MS
    this.idle =
      idleMs > 0 || opts.maxLoadedDocs !== undefined
        ? new IdleUnloader({
            repo: this.repo,
            idleMs: idleMs > 0 ? idleMs : Number.MAX_SAFE_INTEGER,
            maxLoaded: opts.maxLoadedDocs,
            busy: docId => this.#durable.busy(docId),
            log,
          })
        : undefined
    this.metrics = new RelayMetrics({
      identities: () => this.adapter.peerIds.flatMap(p => this.adapter.identityOf(p) ?? []),
      traffic: () => this.adapter.traffic,
      refusals: () => this.adapter.refusals,
      rateLimited: () => this.adapter.rateLimited,
      droppedDeskChanges: () => this.#policy.droppedDeskChanges,
      documentsLoaded: () => Object.keys(this.repo.handles).length,
      documentsUnloaded: () => this.idle?.unloaded ?? 0,
      documentsKnown: () => this.ownership.size,
      durableAcks: () => this.#durable.sent,
      resyncs: () => this.#policy.resyncs,
      clinics: () => this.ownership.clinics,
      snapshotState: clinicId => this.#snapshots.state(clinicId),
      snapshotQueue: () => this.#snapshots.queue,
      reported: () => this.reports.byClinic(new Date()),
    })
    this.#snapshots = new SnapshotBuilder({
      repo: this.repo,
      ownership,
      stored: this.storage,
      load: storedBinary(this.#closable, id => this.storage.chunkNames(id)),
      files: new SnapshotFiles(path.join(opts.dataDir, "snapshots")),
      queue: new BuildQueue(opts.snapshotBuilds ?? 1, opts.onSnapshotBuild),
      ...(opts.snapshotCacheBytes === undefined ? {} : { cacheBytes: opts.snapshotCacheBytes }),
      updateShare: opts.snapshotUpdateShare,
      entryNice: opts.snapshotEntryNice,
      wasmHeadroom: opts.wasmHeadroom !== false,
      log,
      onBuilt: (clinicId, seconds, bytes) => this.metrics.snapshotBuilt(clinicId, seconds, bytes),
      onUpdated: clinicId => this.#images?.refresh(clinicId),
    })
    const images = opts.readModelImages
    this.#closeImageBuilds = images?.close
    this.#images = images
      ? new ReadModelImages({
          dir: path.join(opts.dataDir, "read-model-images"),
          build: images.build,
          maxAgeMs: images.maxAgeMs,
          refreshAfterMs: images.refreshAfterMs,
          snapshotGz: clinicId => this.#snapshots.gzipped(clinicId),
          records: clinicId => this.#snapshots.records(clinicId),
          log,
        })
      : undefined
    this.#gate = new RelayGate({
      auth: this.#auth,
      tls: opts.tls,
      maxMessageBytes: opts.maxMessageBytes ?? 64 * 1024 * 1024,
      snapshots: this.#snapshots,
      images: this.#images,
      registerClinic: clinicId => this.ownership.registerClinic(clinicId),
      resync: docId => this.#policy.resync(docId),
      report: async (identity, report, receivedAt, clockOffsetMs) => {
        await this.#auth.report?.(identity, report, receivedAt, clockOffsetMs)
        this.reports.hold({ clinicId: identity.clinicId, deskId: identity.deskId, report, receivedAt, clockOffsetMs })
      },
      admit: identity => this.#handover?.admit(identity) ?? Promise.resolve(undefined),
      accept: (ws, identity) => this.adapter.accept(ws, identity),
      cutOff: who =>
        this.adapter.disconnectWhere(
          i => i.role === who.role && i.deskId === who.id,
          `${who.role} ${who.id} was revoked`,
        ),
      health: () => this.health(),
      ready: () => this.ready(),
      metrics: this.metrics,
      metricsAllowed: req => metricsAllowed(req, opts.metricsToken),
      admin: opts.admin && {
        access: new AdminAccess(opts.admin.token),
        registry: opts.admin.registry,
        tls: opts.tls !== undefined,
        thresholds: opts.admin.thresholds,
        log,
      },
      log,
    })
  }

  static async start(opts: RelayServerOptions): Promise<RelayServer> {
    const ownership = await DocOwnership.open(opts.ownership ?? path.join(opts.dataDir, "ownership.json"))
    // a registry knows every clinic: each one's documents are its own before any desk connects
    const auth = opts.authenticator
    if (auth?.clinics) {
      ownership.strict = true
      for (const clinicId of await auth.clinics()) ownership.registerClinic(clinicId)
      auth.onClinic?.(clinicId => ownership.registerClinic(clinicId))
    }
    const relay = new RelayServer(opts, ownership)
    await relay.adapter.whenReady()
    await relay.#gate.listen(opts.port ?? 0, opts.host ?? "127.0.0.1")
    relay.#log(`relay ${relay.peerId} listening on ${relay.url}`)
    if (opts.leases) relay.#lease(opts.leases)
    relay.idle?.start()
    relay.lean?.start()
    relay.wasmHeadroom?.start()
    if (MemoryTrace.enabled())
      relay.#memoryTrace = new MemoryTrace({
        everyMs: 500,
        worker: () => relay.#snapshots.workerHeap(),
        phase: () =>
          `${relay.ownership.clinics.map(c => `${c}:${relay.#snapshots.state(c)}`).join(",")} loaded:${Object.keys(relay.repo.handles).length}`,
      })
    // every known clinic's bootstrap snapshot now, so a new desk does not wait for it: each is
    // taken from disk or built, the builds one at a time (snapshotBuilds) through one queue
    for (const clinic of relay.ownership.clinics)
      void relay.#snapshots
        .gzipped(clinic)
        .catch(e => relay.#log(`snapshot of ${clinic} failed: ${(e as Error).message}`))
    return relay
  }

  #lease(o: RelayLeaseOptions): void {
    const leases = new ClinicLeases({
      pool: o.pool,
      ttlMs: o.ttlMs ?? RELAY_LEASE_MS,
      renewMs: o.renewMs ?? relayLeaseRenewMs(o.ttlMs ?? RELAY_LEASE_MS),
      role: "relay",
      holder: o.relayId ?? `${os.hostname()}:${this.port}`,
      holderUrl: o.relayUrl ?? this.syncUrl,
      onLost: clinicId =>
        void this.#handover
          ?.drop(clinicId)
          .catch(e => this.#log(`dropping clinic ${clinicId} failed: ${(e as Error).message}`, { level: "error" })),
      log: this.#log,
    })
    this.#handover = new ClinicHandover({
      leases,
      repo: this.repo,
      ownership: this.ownership,
      refresh: this.storage.refresh ? ids => this.storage.refresh?.(ids) ?? Promise.resolve() : undefined,
      // not a refusal: they come back at once, through the shared address, to the clinic's new relay
      disconnect: (match, reason) => this.adapter.disconnectWhere(match, reason, 1012),
      log: this.#log,
    })
    this.leases = leases
    leases.start()
    this.#log(`relay ${leases.holder} serves the clinics whose leases it holds; desks reach it at ${leases.holderUrl}`)
  }

  /** sync messages of desks that carried changes to server-owned documents, dropped */
  get droppedDeskChanges(): number {
    return this.#policy.droppedDeskChanges
  }

  /** Resolves once the clinic's bootstrap snapshot is current (built, or kept on disk and unchanged). */
  snapshotCurrent(clinicId: string): Promise<void> {
    return this.#snapshots.whenCurrent(clinicId)
  }

  /**
   * The clinic's read-model image of `version` as a desk asking now would start it: built (or built
   * again, when old) before this resolves; undefined when this relay builds none (for benchmarks).
   */
  async readModelImage(clinicId: string, version: number): Promise<ImageMeta | undefined> {
    const images = this.#images
    if (!images) return undefined
    await images.current(clinicId, version)
    await images.idle()
    return images.meta(clinicId, version)
  }

  /** The heads of a document in the clinic's snapshot, once its entry is current (for benchmarks and tests). */
  snapshotHeads(clinicId: string, docId: string): string[] | undefined {
    return this.#snapshots.currentHeads(clinicId, docId)
  }

  get port(): number {
    return this.#gate.port
  }

  get host(): string {
    return this.#gate.host
  }

  /** http(s)://host:port */
  get url(): string {
    return this.#gate.url
  }

  /** ws(s)://host:port/sync */
  get syncUrl(): string {
    return this.#gate.syncUrl
  }

  health(): { ok: boolean; peers: number; documents: number; uptimeSec: number } {
    return {
      ok: !this.#closed,
      peers: this.adapter.peerIds.length,
      documents: this.ownership.size,
      uptimeSec: Math.round((Date.now() - this.#startedAt) / 1000),
    }
  }

  /**
   * Ready to serve desks: listening, its document storage writable, the registry (if any)
   * reachable and migrated, and the snapshot of every known clinic looked at (built, kept, or building).
   */
  ready(): Promise<Readiness> {
    return relayReadiness({
      closed: this.#closed,
      dataDir: this.#docsDir,
      auth: this.#auth,
      clinics: this.ownership.clinics,
      snapshotState: clinicId => this.#snapshots.state(clinicId),
    })
  }

  async close(): Promise<void> {
    this.#policy.close()
    if (this.#closed) return
    this.#closed = true
    this.#memoryTrace?.stop()
    this.wasmHeadroom?.stop()
    this.lean?.stop()
    this.adapter.disconnect()
    await this.idle?.close()
    await this.#gate.close()
    const ready = Object.values(this.repo.handles)
      .filter(h => h.isReady())
      .map(h => h.documentId)
    await this.#durable.close()
    await this.repo.flush(ready).catch(e => this.#log(`flush on close failed: ${(e as Error).message}`))
    // a build under way is stopped, not waited for
    const closing = this.#images?.close()
    await this.#closeImageBuilds?.()
    await closing
    this.#snapshots.close()
    await this.#snapshots.flush()
    // everything written: the clinics' next relay may take them at once
    await this.leases?.stop()
    await this.ownership.close()
    await this.#closable.close()
    await this.storage.close?.()
    await this.#auth.close?.()
  }
}

/** How long a document stays loaded with no peer touching it, by default. */
export const DEFAULT_IDLE_UNLOAD_MS = 10 * 60_000

const peerFields = (identity: Identity | undefined, peer: string): LogFields => ({
  ...(identity && identity.clinicId !== "*" ? { clinic: identity.clinicId } : {}),
  ...(identity ? { desk: identity.role === "desk" ? identity.deskId : `service:${identity.deskId}` } : {}),
  peer,
})
