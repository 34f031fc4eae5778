import { randomBytes } from "node:crypto"
import * as path from "node:path"
import * as http from "node:http"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { EmbeddedPg, migrate } from "@vetsync/bridge"
import { ResilientWebSocketClientAdapter, SafeFsStorageAdapter, ClosableStorageAdapter } from "@vetsync/shared"
import pg from "pg"
import { afterAll, beforeAll } from "vitest"
import type { RelayServer } from "../src/RelayServer.js"
import { closeRepo, makeTemp, rmTemp, type TestDesk } from "./support.js"

export interface TestRegistry {
  dir: string
  cluster: EmbeddedPg
  /** this file's fresh database, migrated with the bridge's migrations (registry: 0006) */
  url: string
  pool: pg.Pool
}

/**
 * An embedded PostgreSQL cluster (the bridge's EmbeddedPg) for this test file with a
 * fresh database migrated by the bridge's migration runner; torn down after the file.
 */
export const useRegistry = (): TestRegistry => {
  const ctx = {} as TestRegistry
  beforeAll(async () => {
    ctx.dir = makeTemp("registry")
    ctx.cluster = await new EmbeddedPg({ dir: path.join(ctx.dir, "pg"), fast: true }).start()
    ctx.url = await ctx.cluster.createDatabase(`test_${randomBytes(6).toString("hex")}`)
    ctx.pool = new pg.Pool({ connectionString: ctx.url, max: 4 })
    ctx.pool.on("error", () => undefined)
    await migrate(ctx.pool)
  }, 120_000)
  afterAll(async () => {
    await ctx.pool?.end().catch(() => undefined)
    await ctx.cluster?.stop()
    if (ctx.dir) rmTemp(ctx.dir)
  }, 60_000)
  return ctx
}

/**
 * A desk repo that presents `Authorization: Bearer <credential>` with the desk's own
 * resilient adapter (it retries a refused upgrade rather than throwing, like a real desk).
 */
export const credentialDesk = (
  relay: RelayServer,
  credential: string,
  peerPrefix: string,
  dir: string,
): TestDesk & { adapter: ResilientWebSocketClientAdapter; errors: string[] } => {
  const storage = new ClosableStorageAdapter(new SafeFsStorageAdapter(dir, { fsync: false }))
  const errors: string[] = []
  const adapter = new ResilientWebSocketClientAdapter(relay.syncUrl, {
    headers: { authorization: `Bearer ${credential}` },
    backoff: { minMs: 50, maxMs: 200 },
    refusedBackoff: { minMs: 50, maxMs: 200 },
    log: line => errors.push(line),
  })
  const repo = new Repo({
    storage,
    network: [adapter],
    peerId: `${peerPrefix}:${randomBytes(4).toString("hex")}` as PeerId,
    isEphemeral: true,
    sharePolicy: async () => true,
  })
  return { repo, adapter, errors, close: () => closeRepo(repo, storage) }
}

export interface HttpReply {
  status: number
  body: string
}

export const request = (
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpReply> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers }, res => {
      const chunks: Buffer[] = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
    })
    req.on("error", reject)
    req.end(opts.body)
  })

export const postEnrol = (relay: RelayServer, token: string): Promise<HttpReply> =>
  request(`${relay.url}/enrol`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  })
