import { mkdirSync } from "node:fs"
import { join } from "node:path"
import pg from "pg"
import { EmbeddedPg } from "@vetsync/db"
import { eventually, freePort, productEnv, SupervisedProcess, TcpProxy } from "@vetsync/test-kit"
import { DeskClient } from "./DeskClient.js"
import { LanLinks } from "./LanLinks.js"
import { registerClinic, REPO_ROOT, VETSYNC_CLI } from "./registry.js"

export interface ClusterOptions {
  /** every process's data and log file live here */
  runDir: string
  desks: number
  /** an existing PostgreSQL; unset: an embedded cluster in <runDir>/pg */
  databaseUrl?: string
  clinicId: string
  /** prefix of desk ids (desk ids are global in a shared registry) */
  deskPrefix: string
  /**
   * LAN sync between the desks (issue 15): each desk listens on a LAN port and dials the others
   * through one TcpProxy per pair (LanLinks); desks enrolled later (enrolDesk) are not on it.
   * Default off: tests that cut a desk from the relay expect it alone.
   */
  lan?: boolean
  log: (line: string) => void
  /** node's own flags for every product process (e.g. `--cpu-prof` for a benchmark's profiles) */
  nodeArgs?: string[]
}

/** One desk of the cluster: its process, the proxy between it and the relay, its API client. */
export interface DeskNode {
  index: number
  name: string
  deskId: string
  code: string
  dataDir: string
  proc: SupervisedProcess
  proxy: TcpProxy
  client: DeskClient
}

/** Generous bounds: a 2-core machine running other tests beside this one. */
const UP_MS = 90_000

/**
 * The whole system as separate processes on loopback: PostgreSQL (registry and projection),
 * the relay, the bridge and the desks, each started through the `vetsync` command, each desk
 * and the bridge behind its own TcpProxy in front of the relay; with `lan`, the desks also sync
 * with each other over LAN links that can be cut (LanLinks).
 */
export class Cluster {
  readonly opts: ClusterOptions
  readonly desks: DeskNode[] = []
  pg: EmbeddedPg | undefined
  databaseUrl = ""
  pool!: pg.Pool
  relay!: SupervisedProcess
  bridge!: SupervisedProcess
  bridgeProxy!: TcpProxy
  relayPort = 0
  /** the desks' LAN links, when the cluster runs with LAN sync */
  lan: LanLinks | undefined

  private constructor(opts: ClusterOptions) {
    this.opts = opts
  }

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(opts)
    try {
      await c.#start()
    } catch (e) {
      await c.close()
      throw e
    }
    return c
  }

  get clinicId(): string {
    return this.opts.clinicId
  }

  async #start(): Promise<void> {
    const { runDir, log } = this.opts
    mkdirSync(runDir, { recursive: true })
    if (this.opts.databaseUrl) this.databaseUrl = this.opts.databaseUrl
    else {
      this.pg = await new EmbeddedPg({ dir: join(runDir, "pg"), fast: true, scratch: true }).start()
      this.databaseUrl = this.pg.url
    }
    this.pool = new pg.Pool({ connectionString: this.databaseUrl, max: 3 })
    this.pool.on("error", () => undefined)
    log(`PostgreSQL ${this.pg ? "embedded in " + join(runDir, "pg") : "from DATABASE_URL"}`)
    const deskIds = Array.from({ length: this.opts.desks }, (_, i) => `${this.opts.deskPrefix}${i + 1}`)
    const reg = await registerClinic({ databaseUrl: this.databaseUrl, dataDir: join(runDir, "registry"), clinicId: this.clinicId, deskIds })
    log(`registry: clinic ${this.clinicId}, ${deskIds.length} desks, bridge credential, ${reg.priceCodes.length} prices`)

    this.relayPort = await freePort()
    this.relay = this.#proc("relay", ["server"], {
      PORT: String(this.relayPort),
      HOST: "127.0.0.1",
      VETSYNC_DATA_DIR: join(runDir, "relay"),
      DATABASE_URL: this.databaseUrl,
      VETSYNC_CLINICS: this.clinicId,
      // documents idle for 6 s are unloaded, and loaded again when next used: what a relay does over
      // days happens many times in a run (removeFromCache's save of the emptied document went unseen)
      VETSYNC_IDLE_UNLOAD_MINUTES: "0.1",
    })
    await this.startRelay()
    this.bridgeProxy = await TcpProxy.start(this.relayPort)
    this.bridge = this.#proc("bridge", ["bridge"], {
      DATABASE_URL: this.databaseUrl,
      VETSYNC_DATA_DIR: join(runDir, "bridge"),
      VETSYNC_RELAY_URL: `ws://127.0.0.1:${this.bridgeProxy.port}/sync`,
      VETSYNC_RELAY_CREDENTIAL: reg.bridgeCredential,
      VETSYNC_CLINICS: this.clinicId,
      // its operations server on any free port: runs side by side never fight over 8788
      VETSYNC_BRIDGE_PORT: "0",
    })
    if (this.opts.lan) this.lan = await LanLinks.start(deskIds)
    for (const [i, deskId] of deskIds.entries()) {
      const proxy = await TcpProxy.start(this.relayPort)
      const port = await freePort()
      const dataDir = join(runDir, deskId)
      const code = `D${i + 1}`
      const proc = this.#proc(`desk-${i + 1}`, [
        "desk",
        "--data-dir",
        dataDir,
        "--server",
        `ws://127.0.0.1:${proxy.port}/sync`,
        "--port",
        String(port),
        "--desk-code",
        code,
        ...(this.lan?.flagsOf(i) ?? []),
      ])
      this.desks.push({ index: i, name: `desk-${i + 1}`, deskId, code, dataDir, proc, proxy, client: new DeskClient({ port, dataDir }) })
    }
    await Promise.all([this.startBridge(), ...this.desks.map(d => this.startDesk(d.index, ["--enrol", reg.tokens.get(d.deskId) ?? ""]))])
    log(`relay :${this.relayPort}, bridge, ${this.desks.length} desks up; logs in ${runDir}`)
  }

  /**
   * A desk enrolled later with a one-time token (`vetsync desks add`), as its own process behind its own
   * proxy; `dataDir` defaults to <runDir>/<name> (a lost desk's directory, deleted, for one enrolled again).
   * Resolves once it answers status.
   */
  async enrolDesk(name: string, added: { deskId: string; code: string; token: string }, dataDir = join(this.opts.runDir, name)): Promise<DeskNode> {
    const proxy = await TcpProxy.start(this.relayPort)
    const port = await freePort()
    const args = ["desk", "--data-dir", dataDir, "--server", `ws://127.0.0.1:${proxy.port}/sync`, "--port", String(port)]
    const proc = this.#proc(name, args)
    const d: DeskNode = { index: this.desks.length, name, deskId: added.deskId, code: added.code, dataDir, proc, proxy, client: new DeskClient({ port, dataDir }) }
    this.desks.push(d)
    await this.startDesk(d.index, ["--enrol", added.token])
    return d
  }

  /**
   * Desk i replaced (its process gone, its data directory wiped): a desk enrolled with `added`'s
   * one-time token takes its place, named `name`, with the same data directory, API port, proxy to
   * the relay and LAN links (the same place in the LAN's dialling order when `added.deskId` sorts
   * as the old id did). Resolves once it answers status.
   */
  async replaceDesk(i: number, name: string, added: { deskId: string; code: string; token: string }): Promise<DeskNode> {
    const d = this.#desk(i)
    if (d.proc.running) throw new Error(`${d.name} still runs: it is replaced once it is gone`)
    d.proc = this.#proc(name, [
      "desk",
      "--data-dir",
      d.dataDir,
      "--server",
      `ws://127.0.0.1:${d.proxy.port}/sync`,
      "--port",
      String(d.client.opts.port),
      ...(this.lan?.flagsOf(i) ?? []),
    ])
    d.name = name
    d.deskId = added.deskId
    d.code = added.code
    await this.startDesk(i, ["--enrol", added.token])
    return d
  }

  #proc(name: string, args: string[], env: Record<string, string> = {}): SupervisedProcess {
    return new SupervisedProcess({
      name,
      command: process.execPath,
      args: [...(this.opts.nodeArgs ?? []), VETSYNC_CLI, ...args],
      env: productEnv(env),
      cwd: REPO_ROOT,
      logFile: join(this.opts.runDir, `${name}.log`),
    })
  }

  /** Every process of the cluster. */
  processes(): SupervisedProcess[] {
    return [this.relay, this.bridge, ...this.desks.map(d => d.proc)].filter(Boolean)
  }

  async startRelay(): Promise<void> {
    if (!this.relay.running) this.relay.start()
    await eventually("the relay to answer /health", async () => this.relay.running && (await fetch(`http://127.0.0.1:${this.relayPort}/health`)).ok, UP_MS, {
      pollMs: 100,
      describe: () => this.#tail(this.relay),
    })
  }

  async startBridge(): Promise<void> {
    if (!this.bridge.running) this.bridge.start()
    await eventually("the bridge to start", () => this.bridge.running && this.bridge.logOfThisStart().includes("bridge started"), UP_MS, {
      pollMs: 100,
      describe: () => this.#tail(this.bridge),
    })
  }

  async startDesk(i: number, extraArgs: readonly string[] = []): Promise<void> {
    const d = this.#desk(i)
    if (!d.proc.running) d.proc.start(extraArgs)
    await eventually(`${d.name} to answer status`, async () => d.proc.running && (await d.client.call("status", undefined)).kind === "ok", UP_MS, {
      pollMs: 100,
      describe: () => this.#tail(d.proc),
    })
  }

  /** Heals every proxy (the LAN's too) and starts whatever is down. */
  async healAll(): Promise<void> {
    this.bridgeProxy.heal()
    for (const d of this.desks) d.proxy.heal()
    this.lan?.heal()
    await this.startRelay()
    await this.startBridge()
    await Promise.all(this.desks.map(d => this.startDesk(d.index)))
  }

  async close(): Promise<void> {
    const procs = [...(this.desks.map(d => d.proc) ?? []), this.bridge, this.relay].filter(Boolean)
    await Promise.all(procs.map(p => p.stop().catch(() => p.kill9())))
    for (const d of this.desks) await d.proxy.close()
    await this.lan?.close()
    await this.bridgeProxy?.close()
    await this.pool?.end().catch(() => undefined)
    await this.pg?.dispose().catch(() => undefined)
  }

  #desk(i: number): DeskNode {
    const d = this.desks[i]
    if (!d) throw new Error(`no desk ${i}`)
    return d
  }

  #tail(p: SupervisedProcess): string {
    return `${p.name} ${p.running ? "running" : "down"}; log: ${p.logOfThisStart().slice(-1500)}`
  }
}
