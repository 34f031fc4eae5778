import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import { Bridge } from "./Bridge.js"
import { bridgeConfigFromEnv } from "./bridgeConfig.js"
import { BridgeService, serviceUrl } from "./BridgeService.js"

/**
 * Starts a bridge configured from the environment (`npm start`, `vetsync bridge`), with its
 * operations server. The variables, their defaults and meanings are BRIDGE_ENV's (bridgeConfig.ts;
 * the README's table); a bad value stops the start with a ConfigError naming it.
 */
export const startBridgeFromEnv = async (
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = line => console.log(`[bridge] ${line}`),
): Promise<BridgeService> => BridgeService.start(bridgeConfigFromEnv(env), log)

/** Runs a bridge until SIGTERM/SIGINT. */
export const runBridgeFromEnv = async (env: NodeJS.ProcessEnv = process.env): Promise<BridgeService> => {
  const service = await startBridgeFromEnv(env)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`[bridge] ${signal}: stopping`)
    service.stop().then(
      () => process.exit(0),
      e => {
        console.error("[bridge] stop failed", e)
        process.exit(1)
      },
    )
  }
  process.once("SIGTERM", () => stop("SIGTERM"))
  process.once("SIGINT", () => stop("SIGINT"))
  return service
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
