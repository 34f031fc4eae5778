import * as fs from "node:fs"
import * as path from "node:path"
import { PostgresStorageAdapter } from "@vetsync/db"
import { useTestDatabase } from "@vetsync/db/testing"
import { IndexedStorage, RelayServer, startRelayFromEnv } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import pg from "pg"
import { afterEach, describe, expect, it } from "vitest"
import type { DeskCore } from "../../src/index.js"
import { CLINIC, openDesk, relayUrl, tmpDir } from "./fixtures.js"

const db = useTestDatabase()

/** A relay whose documents are in PostgreSQL (its own pool, ended when it closes). */
const startPgRelay = async (dataDir: string, port = 0): Promise<RelayServer> => {
  const pool = new pg.Pool({ connectionString: db.url, max: 4 })
  const documents = await IndexedStorage.open(new PostgresStorageAdapter(pool), () => pool.end())
  return RelayServer.start({ dataDir, port, clinics: [CLINIC], keepAliveMs: 30_000, documents })
}

const has = async (desk: DeskCore, id: string): Promise<boolean> => (await desk.call("clients.get", { id })) !== null

describe("a relay with its documents in PostgreSQL (VETSYNC_RELAY_STORAGE=postgres)", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  it("passes two desks' records between them, and a relay started again on an empty directory has every one", async () => {
    const root = tmpDir("pg-relay")
    const relay = await startPgRelay(path.join(root, "relay-1"))
    open.push(relay)
    const a = await openDesk(path.join(root, "a"), relayUrl(relay), "desk-a", "A")
    const b = await openDesk(path.join(root, "b"), relayUrl(relay), "desk-b", "B")
    open.push(a, b)
    const fromA = (await a.call("clients.create", { name: "Смирнова Ольга", phone: "+7 912 555-44-33" })).client
    const fromB = (
      await b.call("clients.create", { name: "Орлов Пётр", patients: [{ name: "Шарик", species: "собака" }] })
    ).client
    await eventually("A's client on desk B", () => has(b, fromA.id), 60_000)
    await eventually("B's client on desk A", () => has(a, fromB.id), 60_000)
    await eventually(
      "both desks' records acknowledged by the relay",
      async () =>
        (await a.call("status", undefined)).waitingRecords === 0 &&
        (await b.call("status", undefined)).waitingRecords === 0,
      60_000,
    )
    const port = relay.port
    await relay.close()
    open.splice(open.indexOf(relay), 1)
    // the documents are rows, not files
    expect(fs.existsSync(path.join(root, "relay-1", "docs"))).toBe(false)
    const rows = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM automerge_chunks")
    expect(rows.rows[0]?.n).toBeGreaterThan(0)

    // while the relay is away desk A adds a client; then both desks close
    const offline = (await a.call("clients.create", { name: "Кузнецова Анна" })).client
    for (const desk of [a, b]) {
      await desk.close()
      open.splice(open.indexOf(desk), 1)
    }

    // the relay again, on an empty directory, no desk that has the records online: only PostgreSQL has them
    const again = await startPgRelay(path.join(root, "relay-2"), port)
    open.push(again)
    const c = await openDesk(path.join(root, "c"), relayUrl(again), "desk-c", "C")
    open.push(c)
    await eventually(
      "the records of before the restart on a new desk",
      async () => (await has(c, fromA.id)) && (await has(c, fromB.id)),
      90_000,
    )
    expect(await has(c, offline.id)).toBe(false)
    // desk A comes back with what it wrote offline
    const back = await openDesk(path.join(root, "a"), relayUrl(again), "desk-a", "A")
    open.push(back)
    await eventually("the client desk A wrote offline on the new desk", () => has(c, offline.id), 90_000)
    expect((await c.call("clients.get", { id: fromB.id }))?.patients.map(p => p.name)).toEqual(["Шарик"])
  })

  it("startRelayFromEnv keeps the documents in PostgreSQL with VETSYNC_RELAY_STORAGE=postgres, on disk by default", async () => {
    const dir = tmpDir("pg-relay-env")
    const env = { DATABASE_URL: db.url, PORT: "0", VETSYNC_DATA_DIR: dir }
    const onPg = await startRelayFromEnv({ ...env, VETSYNC_RELAY_STORAGE: "postgres" }, () => undefined)
    open.push(onPg)
    expect(onPg.storage).toBeInstanceOf(IndexedStorage)
    await onPg.close()
    open.splice(0)
    const onFiles = await startRelayFromEnv(env, () => undefined)
    open.push(onFiles)
    expect(onFiles.storage).not.toBeInstanceOf(IndexedStorage)
  })
})
