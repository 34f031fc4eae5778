import { randomBytes } from "node:crypto"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as A from "@automerge/automerge"
import { Repo, type DocumentId, type PeerId } from "@automerge/automerge-repo"
import { makeClient, put } from "@vetsync/bridge/test-helpers/records.js"
import { PostgresStorageAdapter } from "@vetsync/db"
import { useTestDatabase } from "@vetsync/db/testing"
import { clientShardKey, docIdFor, readRecord, type AnyClinicDoc } from "@vetsync/shared"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared/net"
import { clinicAdd, deskAdd, enrol } from "@vetsync/sync-server"
import { eventually, freePort, productEnv, SupervisedProcess } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"
import { RelayFront } from "./helpers/RelayFront.js"

const CLI = resolve(fileURLToPath(import.meta.url), "../../cli/vetsync.mjs")
const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../..")
const db = useTestDatabase({ prefix: "failover" })
const procs: SupervisedProcess[] = []
const desks: TestDesk[] = []
let front: RelayFront | undefined

afterAll(async () => {
  for (const d of desks) d.adapter.disconnect()
  await Promise.all(procs.map(p => p.stop().catch(() => p.kill9())))
  await front?.close()
})

interface RelayProc {
  id: string
  port: number
  proc: SupervisedProcess
}

/** `vetsync server` with its documents, ownership and leases in the test's PostgreSQL. */
const startRelay = async (name: string): Promise<RelayProc> => {
  const port = await freePort()
  const proc = new SupervisedProcess({
    name: `relay-${name}`,
    command: process.execPath,
    args: [CLI, "server"],
    cwd: REPO_ROOT,
    logFile: join(db.dir, `relay-${name}.log`),
    env: productEnv({
      PORT: String(port),
      HOST: "127.0.0.1",
      VETSYNC_DATA_DIR: join(db.dir, `relay-${name}`),
      DATABASE_URL: db.url,
      VETSYNC_RELAY_STORAGE: "postgres",
      VETSYNC_RELAY_NAME: name,
      VETSYNC_RELAY_ID: `relay-${name}`,
      VETSYNC_RELAY_URL: `ws://127.0.0.1:${port}/sync`,
      VETSYNC_LOG_FORMAT: "json",
    }),
  })
  procs.push(proc)
  proc.start()
  await eventually(
    `relay ${name} to answer /health`,
    async () => proc.running && (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    90_000,
    { pollMs: 200, describe: () => proc.log().slice(-2000) },
  )
  return { id: `relay-${name}`, port, proc }
}

interface TestDesk {
  deskId: string
  clinicId: string
  repo: Repo
  adapter: ResilientWebSocketClientAdapter
  /** the heads the relay last said are stored, per document */
  durable: Map<string, string[]>
}

/** A desk (an automerge-repo peer with the desk's adapter and its enrolled credential) on the shared address. */
const startDesk = async (clinicId: string, deskId: string, url: string): Promise<TestDesk> => {
  const added = await deskAdd(db.pool, { clinicId, deskId })
  const enrolled = await enrol(db.pool, added.enrolmentToken)
  if (!enrolled) throw new Error(`desk ${deskId} did not enrol`)
  const adapter = new ResilientWebSocketClientAdapter(url, {
    headers: { authorization: `Bearer ${enrolled.credential}` },
    backoff: { minMs: 100, maxMs: 1_000 },
  })
  const durable = new Map<string, string[]>()
  adapter.on("durable", e => durable.set(e.documentId, e.heads))
  const repo = new Repo({
    network: [adapter],
    peerId: `desk:${deskId}:${randomBytes(4).toString("hex")}` as PeerId,
    sharePolicy: () => Promise.resolve(true),
  })
  const desk = { deskId, clinicId, repo, adapter, durable }
  desks.push(desk)
  await eventually(`desk ${deskId} to join a relay`, () => adapter.remotePeerId !== undefined, 30_000)
  return desk
}

const sameHeads = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && b.every(h => a.includes(h))

/** Writes a new client on the desk; resolves with its id and shard once the relay says it is stored. */
const addClient = async (desk: TestDesk, ms: number): Promise<{ id: string; docId: string }> => {
  const client = makeClient(desk.deskId)
  await put(desk.repo, desk.clinicId, "clients", client)
  const docId = docIdFor(desk.clinicId, clientShardKey(client.id))
  const handle = desk.repo.handles[docId]
  if (!handle) throw new Error("the shard is not loaded")
  const heads = A.getHeads(handle.doc())
  await eventually(`the relay to acknowledge client ${client.id} of ${desk.deskId}`, () => sameHeads(desk.durable.get(docId), heads), ms)
  return { id: client.id, docId }
}

const holderOf = async (clinicId: string): Promise<string | undefined> =>
  (await db.pool.query<{ holder: string }>("SELECT holder FROM clinic_leases WHERE clinic_id = $1", [clinicId])).rows[0]
    ?.holder

describe("two relay processes on one PostgreSQL, one killed with -9", () => {
  it("the desks carry on through the other relay, and every acknowledged edit is in PostgreSQL", async () => {
    await clinicAdd(db.pool, "x")
    await clinicAdd(db.pool, "y")
    const relays = [await startRelay("a"), await startRelay("b")]
    front = await RelayFront.start(relays.map(r => r.port))
    const url = `ws://127.0.0.1:${front.port}/sync`
    // the shared address hands each connection to the next relay in turn: x2 reaches the relay
    // that does not hold X and is sent on to the one that does
    const x1 = await startDesk("x", "x1", url)
    const x2 = await startDesk("x", "x2", url)
    const y1 = await startDesk("y", "y1", url)
    const xHolder = await holderOf("x")
    const killed = relays.find(r => r.id === xHolder)
    const survivor = relays.find(r => r.id !== xHolder)
    expect(killed && survivor).toBeTruthy()
    if (!killed || !survivor) return
    expect(x2.adapter.target).toContain(`:${killed.port}/`)

    const acked: { id: string; docId: string }[] = []
    for (const desk of [x1, y1, x1, y1]) acked.push(await addClient(desk, 30_000))

    await killed.proc.kill9()
    const killedAt = performance.now()
    const afterKill = await addClient(x1, 30_000)
    const failoverMs = Math.round(performance.now() - killedAt)
    console.log(`failover: ${failoverMs} ms from kill -9 of ${killed.id} to desk x1's next acknowledged edit`)
    acked.push(afterKill)
    acked.push(await addClient(y1, 30_000), await addClient(x1, 30_000))
    expect(await holderOf("x")).toBe(survivor.id)

    // x2 carries on too: x1's edit after the kill reaches it through the survivor
    const onX2 = await x2.repo.find<AnyClinicDoc>(afterKill.docId as DocumentId)
    await eventually("x1's edit after the kill on x2", () => readRecord(onX2.doc(), "clients", afterKill.id) !== undefined, 30_000)

    // every acknowledged edit is in PostgreSQL (automerge_chunks), read by a fresh repo
    const fresh = new Repo({ storage: new PostgresStorageAdapter(db.pool), network: [] })
    for (const { id, docId } of acked) {
      const handle = await fresh.find<AnyClinicDoc>(docId as DocumentId)
      expect(readRecord(handle.doc(), "clients", id), `client ${id}`).toBeDefined()
    }
    await fresh.shutdown()
  })
})
