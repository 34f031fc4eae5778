/* What tests of a relay that authenticates against the registry share (its database: @vetsync/db/testing). */
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { ResilientWebSocketClientAdapter, SafeFsStorageAdapter, ClosableStorageAdapter } from "@vetsync/shared"
import type { RelayServer } from "../src/RelayServer.js"
import { closeRepo, type TestDesk } from "./support.js"

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
