import { resolve } from "node:path"
import type { NetworkAdapterInterface } from "@automerge/automerge-repo"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import { Bridge } from "./Bridge.js"
import { bridgeConfigFromEnv } from "./bridgeConfig.js"

/** The relay's sync URL with the identity of a service peer (dev authenticator: query parameters). */
export const serviceUrl = (relayUrl: string, name: string): string => {
  const url = new URL(relayUrl)
  url.searchParams.set("role", "service")
  url.searchParams.set("desk", name)
  if (!url.searchParams.has("clinic")) url.searchParams.set("clinic", "all")
  return url.toString()
}

/**
 * Starts a bridge configured from the environment (`npm start`, `vetsync bridge`). The variables,
 * their defaults and meanings are BRIDGE_ENV's (bridgeConfig.ts; the README's table); a bad value
 * stops the start with a ConfigError naming it.
 */
export const startBridgeFromEnv = async (
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = line => console.log(`[bridge] ${line}`),
): Promise<Bridge> => {
  const config = bridgeConfigFromEnv(env)
  const name = config.VETSYNC_BRIDGE_NAME
  const network: NetworkAdapterInterface[] = []
  // with a registry (PgAuthenticator) the relay takes the service credential printed by `vetsync services add`
  const credential = config.VETSYNC_RELAY_CREDENTIAL
  const headers: Record<string, string> = credential ? { authorization: `Bearer ${credential}` } : {}
  if (config.VETSYNC_RELAY_URL)
    network.push(new ResilientWebSocketClientAdapter(serviceUrl(config.VETSYNC_RELAY_URL, name), { headers }))
  const bridge = await Bridge.start({
    dataDir: resolve(config.VETSYNC_DATA_DIR),
    databaseUrl: config.DATABASE_URL,
    network,
    name,
    log,
  })
  for (const clinic of config.VETSYNC_CLINICS) await bridge.addClinic(clinic)
  return bridge
}
/** Runs a bridge until SIGTERM/SIGINT. */
export const runBridgeFromEnv = async (env: NodeJS.ProcessEnv = process.env): Promise<Bridge> => {
  const bridge = await startBridgeFromEnv(env)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`[bridge] ${signal}: stopping`)
    bridge.stop().then(
      () => process.exit(0),
      e => {
        console.error("[bridge] stop failed", e)
        process.exit(1)
      },
    )
  }
  process.once("SIGTERM", () => stop("SIGTERM"))
  process.once("SIGINT", () => stop("SIGINT"))
  return bridge
}

/** For `vetsync dev`: a bridge beside a relay, following the given clinics. */
export const startBridge = async (o: {
  dataDir: string
  relayUrl: string
  clinics: string[]
  databaseUrl?: string
}): Promise<Bridge> => {
  const bridge = await Bridge.start({
    dataDir: o.dataDir,
    databaseUrl: o.databaseUrl ?? (process.env.DATABASE_URL || undefined),
    network: [new ResilientWebSocketClientAdapter(serviceUrl(o.relayUrl, "bridge"))],
    name: "bridge",
    log: line => console.log(`[bridge] ${line}`),
  })
  for (const c of o.clinics) await bridge.addClinic(c)
  return bridge
}
