import { randomBytes } from "node:crypto"
import { join } from "node:path"
import * as A from "@automerge/automerge"
import { Repo, type DocumentId, type PeerId } from "@automerge/automerge-repo"
import { makeClient, put } from "@vetsync/bridge/test-helpers/records.js"
import { clientShardKey, docIdFor } from "@vetsync/shared"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared/net"
import { deskAdd, enrol } from "@vetsync/sync-server"
import { eventually, freePort, productEnv, REPO_ROOT, SupervisedProcess, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import type pg from "pg"
import { RelayFront } from "./RelayFront.js"

export interface RelayProc {
  id: string
  port: number
  proc: SupervisedProcess
}

export interface TestDesk {
  deskId: string
  clinicId: string
  repo: Repo
  adapter: ResilientWebSocketClientAdapter
  /** its enrolled credential (the relay's HTTP requests take it as a bearer token) */
  credential: string
  /** the heads the relay last said are stored, per document */
  durable: Map<string, string[]>
}

export interface FailoverClusterOptions {
  /** the relays' data and log files go here */
  dir: string
  databaseUrl: string
  /** a pool on databaseUrl (the registry, the leases) */
  pool: pg.Pool
}

const sameHeads = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && b.every(h => a.includes(h))

/**
 * Two `vetsync server` processes with VETSYNC_RELAY_STORAGE=postgres on one database, behind one
 * loopback address (RelayFront), and desks (automerge-repo peers with the desk's adapter and an
 * enrolled credential) on that address: for the failover test and the `failover` benchmark.
 */
export class FailoverCluster {
  readonly relays: RelayProc[] = []
  readonly desks: TestDesk[] = []
  readonly #o: FailoverClusterOptions
  #front: RelayFront | undefined

  private constructor(o: FailoverClusterOptions) {
    this.#o = o
  }

  static async start(o: FailoverClusterOptions): Promise<FailoverCluster> {
    const c = new FailoverCluster(o)
    try {
      // one after the other: each migrates the database at start
      await c.#startRelay("a")
      await c.#startRelay("b")
      c.#front = await RelayFront.start(c.relays.map(r => r.port))
    } catch (e) {
      await c.close()
      throw e
    }
    return c
  }

  /** the one address the desks are given */
  get url(): string {
    return `ws://127.0.0.1:${this.#front?.port ?? 0}/sync`
  }

  /** A desk of the clinic (registered and enrolled now) on the shared address (or `url`); resolves once it joined a relay. */
  async startDesk(clinicId: string, deskId: string, url = this.url): Promise<TestDesk> {
    const added = await deskAdd(this.#o.pool, { clinicId, deskId })
    const enrolled = await enrol(this.#o.pool, added.enrolmentToken)
    if (!enrolled) throw new Error(`desk ${deskId} did not enrol`)
    // the desk's own reconnection (DeskCore gives the adapter no back-off of its own): failover figures as desks see them
    const adapter = new ResilientWebSocketClientAdapter(url, {
      headers: { authorization: `Bearer ${enrolled.credential}` },
    })
    const durable = new Map<string, string[]>()
    adapter.on("durable", e => durable.set(e.documentId, e.heads))
    const repo = new Repo({
      network: [adapter],
      peerId: `desk:${deskId}:${randomBytes(4).toString("hex")}` as PeerId,
      sharePolicy: () => Promise.resolve(true),
    })
    const desk = { deskId, clinicId, repo, adapter, credential: enrolled.credential, durable }
    this.desks.push(desk)
    await eventually(`desk ${deskId} to join a relay`, () => adapter.remotePeerId !== undefined, 30_000)
    return desk
  }

  /** Writes a new client on the desk; resolves with its id and shard once the relay says it is stored. */
  async addClient(desk: TestDesk, ms: number): Promise<{ id: string; docId: DocumentId }> {
    const client = makeClient(desk.deskId)
    await put(desk.repo, desk.clinicId, "clients", client)
    const docId = docIdFor(desk.clinicId, clientShardKey(client.id))
    const handle = desk.repo.handles[docId]
    if (!handle) throw new Error("the shard is not loaded")
    const heads = A.getHeads(handle.doc())
    await eventually(
      `the relay to acknowledge client ${client.id} of ${desk.deskId}`,
      () => sameHeads(desk.durable.get(docId), heads),
      ms,
    )
    return { id: client.id, docId }
  }

  /** The relay id holding the clinic's lease, as PostgreSQL has it. */
  async holderOf(clinicId: string): Promise<string | undefined> {
    const { rows } = await this.#o.pool.query<{ holder: string }>(
      "SELECT holder FROM clinic_leases WHERE role = 'relay' AND clinic_id = $1",
      [clinicId],
    )
    return rows[0]?.holder
  }

  /** Starts the relay again (after a kill) on its port and data; resolves once it answers /health. */
  async restart(relayId: string): Promise<void> {
    const relay = this.relays.find(r => r.id === relayId)
    if (!relay) throw new Error(`no relay ${relayId}`)
    relay.proc.start()
    await this.#healthy(relay)
  }

  /** Resolves once the relay's snapshot of every clinic is current (/ready): a restarted relay caught up, as one running a while is. */
  async settled(relayId: string, ms = 120_000): Promise<void> {
    const relay = this.relays.find(r => r.id === relayId)
    if (!relay) throw new Error(`no relay ${relayId}`)
    const snapshots = async (): Promise<Record<string, string>> => {
      const res = await fetch(`http://127.0.0.1:${relay.port}/ready`)
      return ((await res.json()) as { snapshots?: Record<string, string> }).snapshots ?? {}
    }
    await eventually(
      `${relayId}'s snapshots current`,
      async () => {
        const states = Object.values(await snapshots())
        return states.length > 0 && states.every(state => state === "current")
      },
      ms,
      { pollMs: 250, describe: async () => JSON.stringify(await snapshots().catch(e => String(e))) },
    )
  }

  async close(): Promise<void> {
    for (const d of this.desks) d.adapter.disconnect()
    await Promise.all(this.relays.map(r => r.proc.stop().catch(() => r.proc.kill9())))
    await this.#front?.close()
  }

  async #startRelay(name: string): Promise<RelayProc> {
    const port = await freePort()
    const proc = new SupervisedProcess({
      name: `relay-${name}`,
      command: process.execPath,
      args: [CLI, "server"],
      cwd: REPO_ROOT,
      logFile: join(this.#o.dir, `relay-${name}.log`),
      env: productEnv({
        PORT: String(port),
        HOST: "127.0.0.1",
        VETSYNC_DATA_DIR: join(this.#o.dir, `relay-${name}`),
        DATABASE_URL: this.#o.databaseUrl,
        VETSYNC_RELAY_STORAGE: "postgres",
        VETSYNC_RELAY_NAME: name,
        VETSYNC_RELAY_ID: `relay-${name}`,
        VETSYNC_RELAY_URL: `ws://127.0.0.1:${port}/sync`,
        VETSYNC_LOG_FORMAT: "json",
      }),
    })
    const relay = { id: `relay-${name}`, port, proc }
    // listed before it is up: close() stops it even when the start fails
    this.relays.push(relay)
    proc.start()
    await this.#healthy(relay)
    return relay
  }

  async #healthy({ id, port, proc }: RelayProc): Promise<void> {
    await eventually(
      `${id} to answer /health`,
      async () => proc.running && (await fetch(`http://127.0.0.1:${port}/health`)).ok,
      90_000,
      { pollMs: 200, describe: () => proc.log().slice(-2000) },
    )
  }
}
