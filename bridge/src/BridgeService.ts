import { resolve } from "node:path"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import { metricsAllowed } from "@vetsync/shared/net"
import { Bridge } from "./Bridge.js"
import type { BridgeConfig } from "./bridgeConfig.js"
import { BridgeGate } from "./operations/BridgeGate.js"
import { BridgeMetrics } from "./operations/BridgeMetrics.js"
import { bridgeReadiness, type BridgeReadiness } from "./operations/bridgeReadiness.js"
import { withTimeout } from "./operations/withTimeout.js"
import { databaseFigures } from "./queries/operations.js"
import type { LineLog } from "@vetsync/shared/log"

/** The relay's sync URL with the identity of a service peer (dev authenticator: query parameters). */
export const serviceUrl = (relayUrl: string, name: string): string => {
  const url = new URL(relayUrl)
  url.searchParams.set("role", "service")
  url.searchParams.set("desk", name)
  if (!url.searchParams.has("clinic")) url.searchParams.set("clinic", "all")
  return url.toString()
}

/**
 * `vetsync bridge`: the Bridge, its connection to the relay and its operations server (BridgeGate:
 * `/health`, `/ready`, `/metrics`). The operations server listens first, so a taken port fails the
 * start at once and `/health` answers while PostgreSQL starts and the clinics are followed.
 */
export class BridgeService {
  readonly config: BridgeConfig
  readonly metrics: BridgeMetrics
  readonly gate: BridgeGate
  /** the connection to the relay, when VETSYNC_RELAY_URL is set */
  readonly relay: ResilientWebSocketClientAdapter | undefined
  readonly #log: LineLog
  readonly #startedAt = Date.now()
  #bridge: Bridge | undefined
  #phase: "starting" | "running" | "stopping" = "starting"

  private constructor(config: BridgeConfig, log: LineLog) {
    this.config = config
    this.#log = log
    const name = config.VETSYNC_BRIDGE_NAME
    const credential = config.VETSYNC_RELAY_CREDENTIAL
    // with a registry (PgAuthenticator) the relay takes the service credential printed by `vetsync services add`
    const headers: Record<string, string> = credential ? { authorization: `Bearer ${credential}` } : {}
    this.relay = config.VETSYNC_RELAY_URL
      ? new ResilientWebSocketClientAdapter(serviceUrl(config.VETSYNC_RELAY_URL, name), { headers })
      : undefined
    this.metrics = new BridgeMetrics({
      clinics: () => this.#bridge?.projector.clinics ?? [],
      relayConnected: () => (this.relay ? this.relay.state === "open" : undefined),
      listening: () => this.#bridge?.listening ?? false,
      figures: () => {
        const pool = this.#bridge?.pool
        return pool ? withTimeout(databaseFigures(pool), 2_000) : Promise.reject(new Error("starting"))
      },
    })
    this.gate = new BridgeGate({
      health: () => this.health(),
      ready: () => this.ready(),
      metrics: this.metrics,
      metricsAllowed: req => metricsAllowed(req, config.VETSYNC_METRICS_TOKEN),
    })
  }

  static async start(config: BridgeConfig, log: LineLog): Promise<BridgeService> {
    const service = new BridgeService(config, log)
    await service.gate.listen(config.VETSYNC_BRIDGE_PORT, config.VETSYNC_BRIDGE_HOST).catch((e: Error) => {
      throw new Error(`${e.message} (VETSYNC_BRIDGE_HOST, VETSYNC_BRIDGE_PORT: another port, or 0 for any free one)`)
    })
    log(`operations server on ${service.gate.url} (/health, /ready, /metrics)`)
    const bridge = new Bridge({
      dataDir: resolve(config.VETSYNC_DATA_DIR),
      databaseUrl: config.DATABASE_URL,
      network: service.relay ? [service.relay] : [],
      name: config.VETSYNC_BRIDGE_NAME,
      observer: service.metrics,
      log,
    })
    try {
      await bridge.start()
      for (const clinic of config.VETSYNC_CLINICS) await bridge.addClinic(clinic)
    } catch (e) {
      // whatever started (the embedded PostgreSQL, the pool, the repo) stops again
      await bridge.stop().catch(() => undefined)
      await service.gate.close()
      throw e
    }
    service.#bridge = bridge
    service.#phase = "running"
    return service
  }

  /** The running bridge. */
  get bridge(): Bridge {
    if (!this.#bridge) throw new Error("the bridge is starting")
    return this.#bridge
  }

  health(): { ok: true; phase: string; uptimeSec: number; clinics: string[] } {
    return {
      ok: true,
      phase: this.#phase,
      uptimeSec: Math.round((Date.now() - this.#startedAt) / 1000),
      clinics: this.#bridge?.projector.clinics ?? [],
    }
  }

  ready(): Promise<BridgeReadiness> {
    const b = this.#bridge
    return bridgeReadiness({
      phase: this.#phase,
      pool: b?.pool,
      listening: b?.listening ?? false,
      relay: this.relay && {
        url: this.config.VETSYNC_RELAY_URL ?? "",
        state: this.relay.state,
        lastError: this.relay.lastError,
        refused: this.relay.refused,
      },
      clinics: b?.projector.clinics ?? [],
      notLookedAt: b?.projector.notLookedAt ?? [],
    })
  }

  async stop(): Promise<void> {
    if (this.#phase === "stopping") return
    this.#phase = "stopping"
    this.#log("stopping")
    await this.#bridge?.stop()
    await this.gate.close()
  }
}
