import { Bridge } from "./Bridge.js"
import { bridgeConfigFromEnv, type BridgeConfig } from "./bridgeConfig.js"
import { createLogger, lineLog, rootLogger, setRootLogger, type LineLog, type Logger } from "@vetsync/shared/log"
import { BridgeService } from "./BridgeService.js"
import { ClinicRelays } from "./relay/ClinicRelays.js"

/**
 * Starts a bridge configured from the environment (`npm start`, `vetsync bridge`), with its
 * operations server. The variables, their defaults and meanings are BRIDGE_ENV's (bridgeConfig.ts;
 * the README's table); a bad value stops the start with a ConfigError naming it.
 */
export const startBridgeFromEnv = async (
  env: NodeJS.ProcessEnv = process.env,
  log?: LineLog,
): Promise<BridgeService> => {
  const config = bridgeConfigFromEnv(env)
  return BridgeService.start(config, log ?? lineLog(bridgeLogger(config)))
}

/** The bridge's logger: JSON lines (or pretty ones) at the configured level, named "bridge". */
export const bridgeLogger = (config: BridgeConfig): Logger =>
  createLogger({ name: "bridge", level: config.VETSYNC_LOG_LEVEL, format: config.VETSYNC_LOG_FORMAT })

/** Runs a bridge until SIGTERM/SIGINT. */
export const runBridgeFromEnv = async (env: NodeJS.ProcessEnv = process.env): Promise<BridgeService> => {
  const logger = bridgeLogger(bridgeConfigFromEnv(env))
  setRootLogger(logger)
  const service = await startBridgeFromEnv(env, lineLog(logger))
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info(`${signal}: stopping`)
    service.stop().then(
      () => process.exit(0),
      e => {
        logger.error({ err: e }, "stop failed")
        process.exit(1)
      },
    )
  }
  process.once("SIGTERM", () => stop("SIGTERM"))
  process.once("SIGINT", () => stop("SIGINT"))
  return service
}

/**
 * For `vetsync dev`: a bridge beside a relay, following the given clinics, each through its own
 * connection as `vetsync bridge` does (ClinicRelays): one way to reach the relay, in dev as in production.
 */
export const startBridge = async (o: {
  dataDir: string
  relayUrl: string
  clinics: string[]
  databaseUrl?: string
}): Promise<Bridge> => {
  const log = lineLog(rootLogger().child({ component: "bridge" }))
  const bridge = await Bridge.start({
    dataDir: o.dataDir,
    databaseUrl: o.databaseUrl ?? (process.env.DATABASE_URL || undefined),
    relays: new ClinicRelays({ url: o.relayUrl, name: "bridge", log }),
    name: "bridge",
    log,
  })
  for (const c of o.clinics) await bridge.addClinic(c)
  return bridge
}
