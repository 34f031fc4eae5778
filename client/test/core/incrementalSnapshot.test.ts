import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as A from "@automerge/automerge"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import {
  SafeFsStorageAdapter,
  buildClinicDocs,
  clientShardKey,
  docIdFor,
  imm,
  type ClientShardDoc,
} from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { generateClinic } from "@vetsync/test-kit/seed"
import { afterEach, describe, expect, it } from "vitest"
import { Bootstrapper } from "../../src/core/Bootstrapper.js"
import { DocStore } from "../../src/core/DocStore.js"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { tmpDir } from "./fixtures.js"

const CLINIC = "incboot"
const clinic = generateClinic({ seed: "incboot", clients: 150, patients: 180, priceItems: 8 })
const sameHeads = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && [...a].sort().join() === [...b].sort().join()

describe("a new desk on an incrementally updated snapshot", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it("gets a desk's edit made after the snapshot was built, and the relay read only the edited document", async () => {
    const dir = tmpDir("incboot")
    const storage = new SafeFsStorageAdapter(path.join(dir, "relay", "docs"), { fsync: false })
    for (const [key, doc] of buildClinicDocs(CLINIC, clinic, "5eed".repeat(8))) {
      const bin = A.save(doc)
      await storage.save([docIdFor(CLINIC, key), "snapshot", createHash("sha256").update(bin).digest("hex")], bin)
    }
    const relay = await RelayServer.start({ dataDir: path.join(dir, "relay"), clinics: [CLINIC] })
    cleanup.push(() => relay.close())
    await relay.snapshotCurrent(CLINIC)

    // a desk renames a client: the relay's snapshot takes the edit from that shard alone
    const editor = new Repo({
      network: [new WebSocketClientAdapter(`${relay.syncUrl}?clinic=${CLINIC}&desk=editor&role=desk`)],
      peerId: "desk:editor:1" as PeerId,
      isEphemeral: true,
      sharePolicy: () => Promise.resolve(true),
    })
    cleanup.push(() => editor.shutdown())
    const target = clinic.clients[42]!
    const shardId = docIdFor(CLINIC, clientShardKey(target.id))
    const shard = await editor.find<ClientShardDoc>(shardId)
    shard.change(d => {
      d.clients[target.id]!.name = imm("Переименованная Клиентка")
    })
    await eventually(
      "the relay's snapshot entry of the shard to carry the editor's heads",
      () => sameHeads(relay.snapshotHeads(CLINIC, shardId), shard.heads()),
      15_000,
    )
    // the update read no other document: the relay holds the edited shard only
    expect(Object.keys(relay.repo.handles)).toEqual([shardId])

    // a new desk bootstraps: the snapshot has the new name and the heads, the bundle the document
    fs.mkdirSync(path.join(dir, "desk"), { recursive: true })
    const rm = ReadModel.open(path.join(dir, "desk", "readmodel.sqlite"))
    const store = new DocStore({ docsDir: path.join(dir, "desk", "docs"), clinicId: CLINIC, peerId: "desk:new", network: [] })
    cleanup.push(
      () => rm.close(),
      () => store.close(),
    )
    const boot = new Bootstrapper(rm, store, () => undefined)
    const headers = { "x-vetsync-clinic": CLINIC, "x-vetsync-desk": "new" }
    await boot.loadSnapshot(relay.syncUrl, CLINIC, headers)
    expect(rm.clients.search("Переименованная").map(h => h.id)).toContain(target.id)
    expect(rm.counts().clients).toBe(clinic.clients.length)
    expect(rm.ledger.getDocHeads(shardId)?.sort()).toEqual(A.getHeads(shard.doc()).sort())
    expect(await boot.loadDocuments(relay.syncUrl, CLINIC, headers)).toBeGreaterThan(0)
    // every document the snapshot named arrived with its heads: the bootstrap is done
    expect(boot.phase).toBe("done")
  })
})
