import { createHash } from "node:crypto"
import { hostname } from "node:os"
import { resolve } from "node:path"
import { metricsAllowed } from "@vetsync/shared/net"
import { Bridge } from "./Bridge.js"
import type { BridgeConfig } from "./bridgeConfig.js"
import { BridgeGate } from "./operations/BridgeGate.js"
import { BridgeMetrics } from "./operations/BridgeMetrics.js"
import { bridgeReadiness, type BridgeReadiness } from "./operations/bridgeReadiness.js"
import { withTimeout } from "./operations/withTimeout.js"
import { databaseFigures } from "./queries/operations.js"
import { ClinicRelays } from "./relay/ClinicRelays.js"
import type { LineLog } from "@vetsync/shared/log"

/** The bridge's lease holder id: VETSYNC_BRIDGE_ID, else one that stays the same across restarts on this data directory. */
export const bridgeHolder = (config: BridgeConfig): string =>
  config.VETSYNC_BRIDGE_ID ??
  `${hostname()}:${config.VETSYNC_BRIDGE_NAME}:${createHash("sha256").update(resolve(config.VETSYNC_DATA_DIR)).digest("hex").slice(0, 8)}`

/**
 * `vetsync bridge`: the Bridge, its connection to the relay and its operations server (BridgeGate:
 * `/health`, `/ready`, `/metrics`). The operations server listens first, so a taken port fails the
 * start at once and `/health` answers while PostgreSQL starts and the clinics are followed.
 */
export class BridgeService {
  readonly config: BridgeConfig
  readonly metrics: BridgeMetrics
  readonly gate: BridgeGate
  /** the connections to the relays, one per clinic worked on, when VETSYNC_RELAY_URL is set */
  readonly relays: ClinicRelays | undefined
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
    // each clinic through the relay holding its lease (several relays may stand behind the address)
    this.relays = config.VETSYNC_RELAY_URL
      ? new ClinicRelays({ url: config.VETSYNC_RELAY_URL, name, headers, log })
      : undefined
    this.metrics = new BridgeMetrics({
      clinics: () => this.#bridge?.clinics ?? [],
      bridges: () => this.#bridge?.share?.members ?? [],
      relayConnected: () => this.relays?.connected,
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
      relays: service.relays,
      name: config.VETSYNC_BRIDGE_NAME,
      observer: service.metrics,
      workers: config.VETSYNC_BRIDGE_WORKERS,
      // several bridges on one PostgreSQL share the clinics out (alone, it holds every one)
      share: { holder: bridgeHolder(config), holderUrl: service.gate.url },
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

  health(): { ok: true; phase: string; uptimeSec: number; clinics: string[]; holder: string; bridges: string[] } {
    return {
      ok: true,
      phase: this.#phase,
      uptimeSec: Math.round((Date.now() - this.#startedAt) / 1000),
      clinics: this.#bridge?.clinics ?? [],
      holder: bridgeHolder(this.config),
      bridges: this.#bridge?.share?.members ?? [],
    }
  }

  ready(): Promise<BridgeReadiness> {
    const b = this.#bridge
    return bridgeReadiness({
      phase: this.#phase,
      pool: b?.pool,
      listening: b?.listening ?? false,
      relay: this.relays?.status,
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
