import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TestDatabase } from "@vetsync/db/testing"
import { exchangeEnrolmentToken, saveDeskCredential } from "@vetsync/shared"
import { loadOrCreateDeskLanKey } from "@vetsync/shared/lan"
import { clinicAdd, deskAdd, deskRevoke, PgAuthenticator, RelayServer, type Queryable } from "@vetsync/sync-server"

/**
 * A relay with a real registry: an embedded PostgreSQL cluster with a fresh, migrated database,
 * and a RelayServer authenticating against it (PgAuthenticator), restartable on the same port and
 * data directory. Registry commands go through the same functions `vetsync clinics|desks` runs.
 */
export class RegistryRelay {
  relay: RelayServer | null = null
  port = 0
  /** the registry's database; its pool outlives relay restarts */
  readonly #db: TestDatabase

  private constructor(db: TestDatabase) {
    this.#db = db
  }

  static async create(): Promise<RegistryRelay> {
    return new RegistryRelay(await TestDatabase.start({ prefix: "registry-relay" }))
  }

  get dir(): string {
    return this.#db.dir
  }

  get relayDir(): string {
    return join(this.dir, "relay")
  }

  /** ws://127.0.0.1:<port>/sync */
  get syncUrl(): string {
    return `ws://127.0.0.1:${this.port}/sync`
  }

  /** http://127.0.0.1:<port>, as staff may type it */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get db(): Queryable {
    return this.#db.pool
  }

  async startRelay(): Promise<RelayServer> {
    const authenticator = await PgAuthenticator.start({ databaseUrl: this.#db.url, seenEveryMs: 0 })
    this.relay = await RelayServer.start({ port: this.port, dataDir: this.relayDir, keepAliveMs: 5_000, authenticator })
    this.port = this.relay.port
    return this.relay
  }

  async stopRelay(): Promise<void> {
    await this.relay?.close()
    this.relay = null
  }

  async addClinic(clinicId: string): Promise<void> {
    await clinicAdd(this.db, clinicId, `Clinic ${clinicId}`)
  }

  /** `vetsync desks add --clinic <clinicId> --desk-id <deskId> [--code <code>]`: the one-time enrolment token */
  async addDesk(clinicId: string, deskId: string, code?: string): Promise<string> {
    return (await deskAdd(this.db, { clinicId, deskId, ...(code !== undefined ? { code } : {}) })).enrolmentToken
  }

  /**
   * A desk enrolled with its LAN key, as the first-run screen does: its data directory (a new
   * temporary one), whose credential.json carries the LAN certificate the relay signed.
   */
  async enrolLanDesk(clinicId: string, deskId: string): Promise<string> {
    const dataDir = join(await mkdtemp(join(tmpdir(), `vetsync-lan-${clinicId}-${deskId}-`)), "desk")
    const lanPublicKey = loadOrCreateDeskLanKey(dataDir).publicKeyPem
    const answer = await exchangeEnrolmentToken(this.syncUrl, await this.addDesk(clinicId, deskId), { lanPublicKey })
    if (!answer.ok) throw new Error(`enrolment of ${deskId} failed: ${answer.status}`)
    if (!answer.credential.lan) throw new Error(`enrolment of ${deskId} gave no LAN certificate`)
    saveDeskCredential(dataDir, { ...answer.credential, server: this.syncUrl })
    return dataDir
  }

  /** `vetsync desks revoke <deskId>` */
  async revoke(deskId: string): Promise<void> {
    if (!(await deskRevoke(this.db, deskId))) throw new Error(`desk ${deskId} was not revoked`)
  }

  async close(): Promise<void> {
    await this.stopRelay().catch(e => console.error(e))
    await this.#db.stop()
  }
}
