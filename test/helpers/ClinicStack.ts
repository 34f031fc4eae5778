import * as path from "node:path"
import { Bridge, setPrice } from "@vetsync/bridge"
import { startDesk, type DeskCore, type RunningDesk } from "@vetsync/client"
import { TestDatabase } from "@vetsync/db/testing"
import { ResilientWebSocketClientAdapter, enrolDesk, type ClinicProfile, type DeskCredential } from "@vetsync/shared"
import { PgAuthenticator, RelayServer, clinicAdd, clinicSet, deskAdd, serviceAdd } from "@vetsync/sync-server"
import type pg from "pg"

/**
 * A deployment on one machine, as the README's "against a real deployment" sets it up: an
 * embedded PostgreSQL (migrated), the relay authenticating against its registry (PgAuthenticator),
 * the bridge connected to the relay with its service credential, and desks enrolled with one-time
 * tokens from `desks add`. The relay can be stopped and started again on the same port and data
 * directory (the desks and the bridge reconnect by themselves).
 */
export class ClinicStack {
  relay!: RelayServer
  bridge!: Bridge
  readonly desks: RunningDesk[] = []
  readonly #db: TestDatabase
  #port = 0
  #bridgeCredential = ""

  private constructor(db: TestDatabase) {
    this.#db = db
  }

  /** the scratch directory: PostgreSQL, the relay, the bridge and the desks live in it */
  get dir(): string {
    return this.#db.dir
  }

  get pool(): pg.Pool {
    return this.#db.pool
  }

  get url(): string {
    return this.#db.url
  }

  static async start(name: string): Promise<ClinicStack> {
    const s = new ClinicStack(await TestDatabase.start({ prefix: name }))
    s.#bridgeCredential = (await serviceAdd(s.pool, "bridge")).credential
    await s.startRelay()
    s.bridge = await Bridge.start({
      dataDir: path.join(s.dir, "bridge"),
      databaseUrl: s.url,
      name: "bridge",
      network: [
        new ResilientWebSocketClientAdapter(s.relay.syncUrl, {
          headers: { authorization: `Bearer ${s.#bridgeCredential}` },
          backoff: { minMs: 100, maxMs: 1000 },
        }),
      ],
    })
    return s
  }

  /** `vetsync clinics add` and `clinics set`, and its price list in PostgreSQL. */
  async addClinic(
    clinicId: string,
    profile: Partial<ClinicProfile>,
    prices: { code: string; name: string; price: number }[],
  ): Promise<void> {
    await clinicAdd(this.pool, clinicId)
    await clinicSet(this.pool, clinicId, profile)
    for (const p of prices) await setPrice(this.pool, clinicId, p)
  }

  /** Two items for receipts: a consultation at VAT 22 % and food by the kilo without VAT. */
  async addClinicPrices(clinicId: string): Promise<void> {
    await setPrice(this.pool, clinicId, { code: "S001", name: "Консультация терапевта", price: 150_000, vat: "vat22" })
    await setPrice(this.pool, clinicId, { code: "P001", name: "Корм лечебный 1 кг", price: 98_000, kind: "product", unit: "кг" })
  }

  /** `vetsync desks add` (its code: the first free one), then the desk's own POST /enrol. */
  async enrol(clinicId: string, name: string): Promise<{ cred: DeskCredential; dataDir: string }> {
    const { enrolmentToken } = await deskAdd(this.pool, { clinicId })
    const dataDir = path.join(this.dir, name)
    return { cred: await enrolDesk(this.relay.syncUrl, enrolmentToken, dataDir), dataDir }
  }

  /**
   * A desk as `vetsync desk --data-dir DIR` opens an enrolled one (startDesk: its DeskHost reads the
   * credential and opens the core with the clinic, desk id and desk code the registry gave it, at
   * the relay it enrolled at); the desk's core. With `lan` (--lan-port, --lan-peers) it syncs with its
   * clinic's desks over the LAN too, with the LAN certificate it got at enrolment.
   */
  async openDesk(dataDir: string, lan?: { port: number; peers: string[] }): Promise<DeskCore> {
    const desk = await startDesk({ dataDir, log: () => undefined, ...(lan ? { lan } : {}) })
    this.desks.push(desk)
    return desk.core
  }

  async startRelay(): Promise<void> {
    this.relay = await RelayServer.start({
      port: this.#port,
      dataDir: path.join(this.dir, "relay"),
      authenticator: await PgAuthenticator.start({ databaseUrl: this.url }),
      keepAliveMs: 5_000,
    })
    this.#port = this.relay.port
  }

  async stopRelay(): Promise<void> {
    await this.relay.close()
  }

  async close(): Promise<void> {
    for (const d of this.desks.splice(0)) await d.close().catch(() => undefined)
    await this.bridge?.stop().catch(() => undefined)
    await this.relay?.close().catch(() => undefined)
    await this.#db.stop()
  }
}
