import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateClinic, type ClinicOptions, type GeneratedClinic } from "@vetsync/test-kit/seed"
import { RelayServer } from "@vetsync/sync-server"
import type { FiscalConfig } from "../../../src/core/fiscal/FiscalDesk.js"
import { startDesk, type RunningDesk } from "../../../src/web/desk.js"
import { seedRelayStorage } from "./seed.js"

/** A relay, desks and their data directories under one temp dir, all on 127.0.0.1. */
export class Stack {
  relay: RelayServer | null = null
  relayPort = 0
  readonly desks: RunningDesk[] = []
  clinic: GeneratedClinic | null = null

  private constructor(readonly dir: string) {}

  static async create(): Promise<Stack> {
    return new Stack(await mkdtemp(join(tmpdir(), "vetsync-e2e-")))
  }

  get relayDir(): string {
    return join(this.dir, "relay")
  }

  /** starts the relay (again on the same port and data directory after stopRelay) */
  async startRelay(): Promise<RelayServer> {
    this.relay = await RelayServer.start({
      port: this.relayPort,
      dataDir: this.relayDir,
      keepAliveMs: 5_000,
      ...(this.clinic ? { clinics: [this.clinic.clinicId] } : {}),
    })
    this.relayPort = this.relay.port
    return this.relay
  }

  async stopRelay(): Promise<void> {
    await this.relay?.close()
    this.relay = null
  }

  /**
   * Generates a clinic into the relay's storage; call before startRelay. The built documents are
   * cached by options under the temp dir (building the seed-scale clinic takes minutes on a busy machine).
   */
  async seed(options: ClinicOptions): Promise<GeneratedClinic> {
    if (this.relay) throw new Error("seed before the relay starts")
    const t0 = performance.now()
    this.clinic = generateClinic(options)
    const key = createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 16)
    const cache = join(tmpdir(), "vetsync-e2e-seeds", key)
    const docs = join(this.relayDir, "docs")
    if (existsSync(join(cache, "done"))) await cp(join(cache, "docs"), docs, { recursive: true })
    else {
      await seedRelayStorage(this.relayDir, this.clinic)
      await rm(cache, { recursive: true, force: true })
      await cp(docs, join(cache, "docs"), { recursive: true })
      await writeFile(join(cache, "done"), new Date().toISOString())
    }
    if (this.clinic.clients.length > 5000)
      console.log(`[stack] clinic of ${this.clinic.clients.length} clients ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    return this.clinic
  }

  async startDesk(deskId: string, deskCode: string, uiDir?: string, fiscal?: FiscalConfig): Promise<RunningDesk> {
    if (!this.relay || !this.clinic) throw new Error("start and seed the relay first")
    const desk = await startDesk({
      dataDir: join(this.dir, deskId),
      server: `ws://127.0.0.1:${this.relayPort}/sync`,
      clinicId: this.clinic.clinicId,
      deskId,
      deskCode,
      port: 0,
      ...(uiDir ? { uiDir } : {}),
      ...(fiscal ? { fiscal } : {}),
    })
    this.desks.push(desk)
    return desk
  }

  async close(): Promise<void> {
    for (const d of this.desks.splice(0)) await d.close().catch(e => console.error(e))
    await this.stopRelay().catch(e => console.error(e))
    await rm(this.dir, { recursive: true, force: true })
  }
}
