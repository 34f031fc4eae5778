import * as path from "node:path"
import { Repo } from "@automerge/automerge-repo"
import { GenesisFallbackStorage, SafeFsStorageAdapter, docIdFor, genesisBinary, type RootDoc } from "@vetsync/shared"
import { describe, expect, it } from "vitest"
import { CLINIC, tmpDir } from "./fixtures.js"

const ROOT_ID = docIdFor(CLINIC, "root")
const storageAt = (dir: string): { disk: SafeFsStorageAdapter; storage: GenesisFallbackStorage } => {
  const disk = new SafeFsStorageAdapter(dir, { fsync: false })
  const storage = new GenesisFallbackStorage(
    disk,
    id => (id === ROOT_ID ? genesisBinary(CLINIC, "root") : undefined),
    id => disk.hasDocument(id),
  )
  return { disk, storage }
}

describe("GenesisFallbackStorage", () => {
  it("answers a layout document with nothing on disk with its genesis, and nothing else", async () => {
    const { storage } = storageAt(path.join(tmpDir("genesis"), "docs"))
    const chunks = await storage.loadRange([ROOT_ID, "incremental"])
    expect(chunks.map(c => c.data)).toEqual([genesisBinary(CLINIC, "root")])
    expect(await storage.loadRange([ROOT_ID, "snapshot"])).toEqual([])
    expect(await storage.loadRange(["2ZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "incremental"])).toEqual([])
  })

  it("lets an offline repo open a layout document at once (plain storage leaves it unavailable), and keeps what is on disk", async () => {
    const dir = path.join(tmpDir("genesis-repo"), "docs")
    const plain = new Repo({ storage: new SafeFsStorageAdapter(dir, { fsync: false }), network: [], isEphemeral: true })
    await expect(plain.find(ROOT_ID)).rejects.toThrow(/unavailable/)

    const { storage } = storageAt(dir)
    const repo = new Repo({ storage, network: [], isEphemeral: true })
    const handle = await repo.find<RootDoc>(ROOT_ID)
    expect(handle.doc().kind).toBe("root")
    handle.change(d => {
      d.partitions["invoices/2026-11"] = true
    })
    await repo.flush([ROOT_ID])

    const again = new Repo({ storage: storageAt(dir).storage, network: [], isEphemeral: true })
    expect((await again.find<RootDoc>(ROOT_ID)).doc().partitions["invoices/2026-11"]).toBe(true)
  })
})
