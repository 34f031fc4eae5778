import * as fs from "node:fs"
import * as path from "node:path"
import { guardProcess } from "@vetsync/shared"
import type { Authenticator } from "./Authenticator.js"
import { RelayServer } from "./RelayServer.js"
import { PgAuthenticator } from "./registry/PgAuthenticator.js"

/**
 * Starts a relay configured from the environment, for `vetsync server` and main.ts:
 * PORT (default 8787), HOST (default 127.0.0.1), VETSYNC_DATA_DIR (default ./data/relay),
 * VETSYNC_RELAY_NAME (default "main"), VETSYNC_KEEPALIVE_MS, VETSYNC_MAX_MESSAGE_BYTES,
 * VETSYNC_CLINICS (comma-separated clinics to pre-register), VETSYNC_RATE_BURST /
 * VETSYNC_RATE_PER_SEC. Security: with DATABASE_URL desks and services authenticate against
 * the registry (PgAuthenticator, which migrates the database first); without it the relay runs with DevAuthenticator, which
 * trusts any claimed identity, and says so loudly. VETSYNC_TLS_KEY and VETSYNC_TLS_CERT
 * (PEM file paths) make it serve https/wss.
 */
export const startRelayFromEnv = async (
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = line => console.log(`[relay] ${line}`),
): Promise<RelayServer> => {
  const num = (v: string | undefined, fallback: number): number => {
    const n = Number(v)
    return v !== undefined && v !== "" && Number.isFinite(n) ? n : fallback
  }
  let authenticator: Authenticator | undefined
  if (env.DATABASE_URL) authenticator = await PgAuthenticator.start({ databaseUrl: env.DATABASE_URL, log })
  else log("WARNING: no DATABASE_URL: development authentication, any client can claim any desk")
  const tls =
    env.VETSYNC_TLS_KEY && env.VETSYNC_TLS_CERT
      ? { key: fs.readFileSync(env.VETSYNC_TLS_KEY), cert: fs.readFileSync(env.VETSYNC_TLS_CERT) }
      : undefined
  return RelayServer.start({
    authenticator,
    tls,
    rateLimit: {
      ...(env.VETSYNC_RATE_BURST ? { burst: num(env.VETSYNC_RATE_BURST, 5000) } : {}),
      ...(env.VETSYNC_RATE_PER_SEC ? { perSecond: num(env.VETSYNC_RATE_PER_SEC, 500) } : {}),
    },
    host: env.HOST || "127.0.0.1",
    port: num(env.PORT, 8787),
    dataDir: path.resolve(env.VETSYNC_DATA_DIR || "data/relay"),
    name: env.VETSYNC_RELAY_NAME || "main",
    ...(env.VETSYNC_METRICS_TOKEN ? { metricsToken: env.VETSYNC_METRICS_TOKEN } : {}),
    keepAliveMs: num(env.VETSYNC_KEEPALIVE_MS, 30_000),
    maxMessageBytes: num(env.VETSYNC_MAX_MESSAGE_BYTES, 64 * 1024 * 1024),
    clinics: (env.VETSYNC_CLINICS ?? "")
      .split(",")
      .map(s => s.trim())
      .filter(Boolean),
    log,
  })
}

/** Runs a relay until SIGTERM/SIGINT, then closes it (flushing documents and ownership). */
export const runRelayFromEnv = async (env: NodeJS.ProcessEnv = process.env): Promise<RelayServer> => {
  guardProcess("relay")
  const relay = await startRelayFromEnv(env)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`[relay] ${signal}: closing`)
    relay
      .close()
      .then(() => process.exit(0))
      .catch(e => {
        console.error("[relay] close failed", e)
        process.exit(1)
      })
  }
  process.once("SIGTERM", () => stop("SIGTERM"))
  process.once("SIGINT", () => stop("SIGINT"))
  return relay
}
