import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { randomBytes } from "node:crypto"
import { Repo, type DocHandle, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { SafeFsStorageAdapter, docIdFor, genesisBinary, type AnyClinicDoc, type DocKey } from "@vetsync/shared"
import { WebSocket } from "ws"
import { eventually } from "@vetsync/test-kit"
import { ClosableStorageAdapter } from "@vetsync/shared"
import type { RelayServer } from "../src/RelayServer.js"

/** A fresh temporary directory; remove it with `rmTemp`. */
export const makeTemp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `vetsync-${prefix}-`))
export const rmTemp = (dir: string): void => fs.rmSync(dir, { recursive: true, force: true })

export const syncUrlOf = (relay: RelayServer, clinic: string, desk: string, role = "desk"): string =>
  `${relay.syncUrl}?clinic=${encodeURIComponent(clinic)}&desk=${encodeURIComponent(desk)}&role=${role}`

/**
 * A desk repo connected with automerge-repo's stock 2.5.6 client adapter (same wire
 * protocol as ours), so these tests also show the relay talks to unmodified clients.
 */
export const stockDesk = (relay: RelayServer, clinic: string, desk: string, dir: string): TestDesk => {
  const storage = new ClosableStorageAdapter(new SafeFsStorageAdapter(dir, { fsync: false }))
  const repo = new Repo({
    storage,
    network: [new WebSocketClientAdapter(syncUrlOf(relay, clinic, desk))],
    peerId: `desk:${desk}:${randomBytes(4).toString("hex")}` as PeerId,
    isEphemeral: true,
    sharePolicy: async () => true,
  })
  // the stock 2.5.6 adapter throws an uncaught error when disconnected while still connecting
  const close = async (): Promise<void> => {
    await eventually(`desk ${desk} to join the relay before it closes`, () => repo.peers.includes(relay.peerId), 20_000)
    await closeRepo(repo, storage)
  }
  return { repo, close }
}

export interface TestDesk {
  repo: Repo
  close: () => Promise<void>
}

/** Disconnects a repo, saves its ready documents and waits for every write in flight. */
export const closeRepo = async (repo: Repo, storage: ClosableStorageAdapter): Promise<void> => {
  repo.networkSubsystem.disconnect()
  const ready = Object.values(repo.handles)
    .filter(h => h.isReady())
    .map(h => h.documentId)
  await repo.flush(ready)
  await storage.close()
}

/** Creates (clinic, key) in a desk the way every desk does: the shared genesis under the deterministic id. */
export const createDoc = <T extends AnyClinicDoc>(repo: Repo, clinic: string, key: DocKey): DocHandle<T> =>
  repo.import<T>(genesisBinary(clinic, key), { docId: docIdFor(clinic, key) })

/** True once the relay has acknowledged the handle's current heads. */
export const relayHas = (repo: Repo, handle: DocHandle<unknown>, relay: RelayServer): boolean => {
  const storageId = repo.getStorageIdOfPeer(relay.peerId)
  if (!storageId) return false
  const acked = handle.getSyncInfo(storageId)?.lastHeads ?? []
  const heads = handle.heads()
  return acked.length === heads.length && heads.every(h => (acked as string[]).includes(h))
}

/** Opens a raw WebSocket to the relay; resolves when open, rejects on a refused upgrade. */
export const rawSocket = (url: string): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once("open", () => resolve(ws))
    ws.once("error", reject)
  })

/** Resolves with the close code once the socket closes. */
export const closed = (ws: WebSocket): Promise<number> =>
  new Promise(resolve => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1)
    ws.once("close", code => resolve(code))
  })
