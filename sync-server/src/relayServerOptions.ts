import type { StorageAdapterInterface } from "@automerge/automerge-repo"
import type { WasmHeadroomOptions } from "@vetsync/shared"
import type { OwnershipStore } from "./OwnershipStore.js"
import type { AdminThresholds } from "./admin/adminOverview.js"
import type { Authenticator } from "./Authenticator.js"
import type { BuildEvent } from "./BuildQueue.js"
import type { ImageBuild } from "./ReadModelImages.js"
import type { StoredDocs } from "./SnapshotBuilder.js"
import type { LineLog } from "@vetsync/shared/log"
import type { Queryable } from "./registry/commands.js"
import type { RateLimit } from "@vetsync/shared/net"
import type pg from "pg"

export interface RelayServerOptions {
  /** default 127.0.0.1 */
  host?: string
  /** 0 (default) picks a free port */
  port?: number
  dataDir: string
  /**
   * where the documents are kept: default SafeFsStorageAdapter in <dataDir>/docs; or another storage
   * (IndexedStorage over PostgresStorageAdapter), closed with the relay. ownership.json and the
   * snapshots stay in dataDir either way.
   */
  documents?: RelayDocuments
  /**
   * where the known clinics and document claims are kept: default <dataDir>/ownership.json;
   * PgOwnershipStore where several relays share one PostgreSQL (closed with the relay, before documents)
   */
  ownership?: OwnershipStore
  /**
   * several relays on one PostgreSQL (VETSYNC_RELAY_STORAGE=postgres): a desk is served only by the
   * holder of its clinic's lease (ClinicLeases) and sent there by the others; absent: every desk here
   */
  leases?: RelayLeaseOptions
  /** the relay's peer id is `relay:<name>`; default "main" */
  name?: string
  /** ping interval; a desk silent for two intervals is dropped. Default 30 s */
  keepAliveMs?: number
  /** largest accepted WebSocket message; default 64 MiB */
  maxMessageBytes?: number
  /** default: DevAuthenticator (trusts query/header identity); production: PgAuthenticator. The relay closes it on close(). */
  authenticator?: Authenticator
  /** serve https/wss with this certificate (PEM); default plain http/ws (behind a TLS proxy) */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** per-socket limit on document messages; see DEFAULT_RATE_LIMIT */
  rateLimit?: Partial<RateLimit>
  /**
   * `GET /metrics` is answered to loopback clients, and to others presenting
   * `Authorization: Bearer <metricsToken>` (VETSYNC_METRICS_TOKEN); default: loopback only
   */
  metricsToken?: string
  /**
   * the read-only admin page (`GET /admin`, `/admin.json`) for holders of `token`
   * (VETSYNC_ADMIN_TOKEN), reading the registry's PostgreSQL; absent: those paths answer 404
   */
  admin?: { token: string; registry: Queryable; thresholds?: AdminThresholds }
  /** clinics whose fixed documents are registered at start */
  clinics?: string[]
  /**
   * a document no peer touched for this long is written to storage and unloaded from memory
   * (IdleUnloader); default 10 minutes, 0: never
   */
  idleUnloadMs?: number
  /**
   * at most this many documents stay loaded: past it, the least recently touched (untouched for 2 s)
   * are unloaded as idle ones are, and loaded again when next used (IdleUnloader's maxLoaded);
   * default none
   */
  maxLoadedDocs?: number
  /** clinics' snapshots built at the same time; default 1 (the others wait in one queue) */
  snapshotBuilds?: number
  /** the saved size of the documents the snapshot's entry worker keeps loaded between updates; default 2 MiB */
  snapshotCacheBytes?: number
  /** the share of the time clinics' snapshot updates may take together (SnapshotBuilder's updateShare; default 0.25) */
  snapshotUpdateShare?: number
  /** the nice value of the snapshot's entry worker thread (default 10: relaying goes first; 0: the relay's own) */
  snapshotEntryNice?: number
  /**
   * free room kept in the Automerge wasm memory of the main thread and of the snapshot entry worker,
   * so that it grows seldom (WasmHeadroom: each growth cost a full garbage collection of the JS
   * heap); default on, false: off
   */
  wasmHeadroom?: WasmHeadroomOptions | false
  /**
   * the documents the relay holds are kept lean, not materialised as JS values (LeanHandles);
   * default true, false: as automerge-repo makes them (for measuring what it changes)
   */
  leanDocs?: boolean
  /**
   * builds the clinics' read-model images a new desk takes whole (ReadModelImages, in
   * <dataDir>/read-model-images); absent: none, desks take the snapshot
   */
  readModelImages?: { build: ImageBuild; maxAgeMs?: number; refreshAfterMs?: number; close?: () => Promise<void> }
  /** told when a snapshot build starts (after its turn in the queue) and ends: for tests */
  onSnapshotBuild?: (e: BuildEvent) => void
  log?: LineLog
}

/** This relay in the clinic leases: its id, its address for desks (default its own syncUrl), the lease's length. */
export interface RelayLeaseOptions {
  pool: pg.Pool
  /** default the host's name and the port */
  relayId?: string
  relayUrl?: string
  /** the lease's length; default RELAY_LEASE_MS (VETSYNC_LEASE_MS) */
  ttlMs?: number
  /** default relayLeaseRenewMs(ttlMs): a fifth of it */
  renewMs?: number
}

/** A relay's document storage: automerge-repo's interface, and chunk names without reading them. */
export type RelayDocuments = StorageAdapterInterface &
  StoredDocs & { close?(): Promise<void>; refresh?(docIds: readonly string[]): Promise<void> }
