import * as fs from "node:fs"
import * as path from "node:path"
import { Database, PostgresStorageAdapter } from "@vetsync/db"
import { guardProcess } from "@vetsync/shared"
import { ConfigError } from "@vetsync/shared/config"
import type { Authenticator } from "./Authenticator.js"
import { IndexedStorage } from "./IndexedStorage.js"
import type { OwnershipStore } from "./OwnershipStore.js"
import { PgOwnershipStore } from "./PgOwnershipStore.js"
import { relayConfigFromEnv, type RelayConfig } from "./relayConfig.js"
import { createLogger, lineLog, setRootLogger, type LineLog, type Logger } from "@vetsync/shared/log"
import { RelayServer } from "./RelayServer.js"
import type { RelayDocuments, RelayLeaseOptions, RelayServerOptions } from "./relayServerOptions.js"
import { PgAuthenticator } from "./registry/PgAuthenticator.js"

/** The certificate files, read now: one that cannot be read stops the start, naming its variable. */
const readTls = (config: RelayConfig): { key: Buffer; cert: Buffer } | undefined => {
  const read = (name: "VETSYNC_TLS_KEY" | "VETSYNC_TLS_CERT"): Buffer => {
    const file = config[name] ?? ""
    try {
      return fs.readFileSync(file)
    } catch (e) {
      throw new ConfigError("relay", [
        `${name} is ${JSON.stringify(file)}: ${(e as Error).message}; expected a readable PEM file`,
      ])
    }
  }
  return config.VETSYNC_TLS_KEY && config.VETSYNC_TLS_CERT
    ? { key: read("VETSYNC_TLS_KEY"), cert: read("VETSYNC_TLS_CERT") }
    : undefined
}

/** The relay's logger: JSON lines (or pretty ones) at the configured level, named "relay". */
export const relayLogger = (config: RelayConfig): Logger =>
  createLogger({ name: "relay", level: config.VETSYNC_LOG_LEVEL, format: config.VETSYNC_LOG_FORMAT })

/**
 * Starts a relay configured from the environment, for `vetsync server` and main.ts. The variables,
 * their defaults and meanings are RELAY_ENV's (relayConfig.ts; the README's table); a bad value
 * stops the start with a ConfigError naming it. Security: with DATABASE_URL desks and services
 * authenticate against the registry (PgAuthenticator, which migrates the database first); without
 * it the relay runs with DevAuthenticator, which trusts any claimed identity, and says so loudly.
 */
export const startRelayFromEnv = async (
  env: NodeJS.ProcessEnv = process.env,
  given?: LineLog,
  extra: Pick<RelayServerOptions, "readModelImages"> = {},
): Promise<RelayServer> => {
  const config = relayConfigFromEnv(env)
  const log = given ?? lineLog(relayLogger(config))
  const tls = readTls(config)
  let authenticator: Authenticator | undefined
  let admin: RelayServerOptions["admin"]
  if (config.DATABASE_URL) {
    const registry = await PgAuthenticator.start({ databaseUrl: config.DATABASE_URL, log })
    authenticator = registry
    if (config.VETSYNC_ADMIN_TOKEN) admin = { token: config.VETSYNC_ADMIN_TOKEN, registry: registry.pool }
  } else log("WARNING: no DATABASE_URL: development authentication, any client can claim any desk", { level: "warn" })
  let documents: RelayDocuments | undefined
  let ownership: OwnershipStore | undefined
  let leases: RelayLeaseOptions | undefined
  if (config.VETSYNC_RELAY_STORAGE === "postgres" && config.DATABASE_URL) {
    const db = await Database.open({ dataDir: config.VETSYNC_DATA_DIR, databaseUrl: config.DATABASE_URL, log })
    documents = await IndexedStorage.open(new PostgresStorageAdapter(db.pool), () => db.close())
    ownership = new PgOwnershipStore(db.pool)
    leases = {
      pool: db.pool,
      relayId: config.VETSYNC_RELAY_ID,
      relayUrl: config.VETSYNC_RELAY_URL,
      ttlMs: config.VETSYNC_LEASE_MS,
    }
    log("documents and their ownership in PostgreSQL (automerge_chunks, relay_doc_owners)")
  }
  return RelayServer.start({
    documents,
    ownership,
    leases,
    authenticator,
    tls,
    rateLimit: { burst: config.VETSYNC_RATE_BURST, perSecond: config.VETSYNC_RATE_PER_SEC },
    host: config.HOST,
    port: config.PORT,
    dataDir: path.resolve(config.VETSYNC_DATA_DIR),
    name: config.VETSYNC_RELAY_NAME,
    metricsToken: config.VETSYNC_METRICS_TOKEN,
    admin,
    keepAliveMs: config.VETSYNC_KEEPALIVE_MS,
    maxMessageBytes: config.VETSYNC_MAX_MESSAGE_BYTES,
    clinics: config.VETSYNC_CLINICS,
    idleUnloadMs: Math.round(config.VETSYNC_IDLE_UNLOAD_MINUTES * 60_000),
    maxLoadedDocs: config.VETSYNC_MAX_LOADED_DOCS,
    snapshotBuilds: config.VETSYNC_SNAPSHOT_BUILDS,
    snapshotCacheBytes: Math.round(config.VETSYNC_SNAPSHOT_CACHE_MB * 1024 * 1024),
    ...extra,
    log,
  })
}

/** Runs a relay until SIGTERM/SIGINT, then closes it (flushing documents and ownership). */
export const runRelayFromEnv = async (
  env: NodeJS.ProcessEnv = process.env,
  extra: Pick<RelayServerOptions, "readModelImages"> = {},
): Promise<RelayServer> => {
  const logger = relayLogger(relayConfigFromEnv(env))
  setRootLogger(logger)
  guardProcess("relay")
  const relay = await startRelayFromEnv(env, lineLog(logger), extra)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info(`${signal}: closing`)
    relay
      .close()
      .then(() => process.exit(0))
      .catch(e => {
        logger.error({ err: e }, "close failed")
        process.exit(1)
      })
  }
  process.once("SIGTERM", () => stop("SIGTERM"))
  process.once("SIGINT", () => stop("SIGINT"))
  return relay
}
