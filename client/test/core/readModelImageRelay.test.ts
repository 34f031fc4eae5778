import * as fs from "node:fs"
import * as path from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { clientShardKey, docIdFor, imm, type ClientShardDoc } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { generateClinic } from "@vetsync/test-kit/seed"
import { afterEach, describe, expect, it } from "vitest"
import { DeskCore } from "../../src/core/DeskCore.js"
import { ReadModelImageBuilder } from "../../src/core/ReadModelImageBuilder.js"
import { READ_MODEL_VERSION } from "../../src/core/readmodel/schema.js"
import { seedRelayStorage } from "../e2e/harness/seed.js"
import { recordRows, tmpDir } from "./fixtures.js"

const clinic = generateClinic({ seed: "imgrelay", clients: 200, patients: 260, priceItems: 8 })
const CLINIC = clinic.clinicId

describe("a new desk takes the relay's read-model image", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it("the first desk takes the snapshot and starts the image; the next takes the image, and edits made since reach it", async () => {
    const dir = tmpDir("imgrelay")
    await seedRelayStorage(path.join(dir, "relay"), clinic)
    const builds = new ReadModelImageBuilder()
    const relay = await RelayServer.start({
      dataDir: path.join(dir, "relay"),
      clinics: [CLINIC],
      readModelImages: { build: builds.build, close: () => builds.close() },
    })
    cleanup.push(() => relay.close())
    const open = async (deskId: string): Promise<DeskCore> => {
      const desk = await DeskCore.open({ dataDir: path.join(dir, deskId), server: relay.syncUrl, clinicId: CLINIC, deskId, deskCode: deskId.toUpperCase() })
      cleanup.push(() => desk.close())
      return desk
    }
    const done = (desk: DeskCore): Promise<unknown> =>
      eventually(`desk's bootstrap done`, () => desk.status().bootstrap.phase === "done", 60_000, {
        describe: () => JSON.stringify(desk.status().bootstrap),
      })

    // no image yet: the first desk takes the snapshot, and its ask has the relay build one
    const one = await open("one")
    await done(one)
    expect(one.bootstrapTimings().imageMs).toBe(0)
    const meta = path.join(dir, "relay", "read-model-images", `${CLINIC}.json`)
    await eventually("the relay's read-model image of the clinic", () => fs.existsSync(meta), 60_000)
    expect(JSON.parse(fs.readFileSync(meta, "utf8"))).toMatchObject({ version: READ_MODEL_VERSION, records: expect.any(Number) })

    // an edit the image does not have: a client renamed after it was built
    const editor = new Repo({
      network: [new WebSocketClientAdapter(`${relay.syncUrl}?clinic=${CLINIC}&desk=editor&role=desk`)],
      peerId: "desk:editor:1" as PeerId,
      isEphemeral: true,
      sharePolicy: () => Promise.resolve(true),
    })
    cleanup.push(() => editor.shutdown())
    const target = clinic.clients[17]!
    const shard = await editor.find<ClientShardDoc>(docIdFor(CLINIC, clientShardKey(target.id)))
    shard.change(d => {
      d.clients[target.id]!.name = imm("Зимородкова Агата")
    })
    await eventually("the first desk to have the rename", () => one.rm.clients.search("Зимородкова").length === 1, 30_000)

    const two = await open("two")
    await done(two)
    expect(two.bootstrapTimings().imageMs).toBeGreaterThan(0)
    // the documents bring the image's records current: the rename is there, and everything else as the first desk has it
    await eventually("the second desk to have the rename", () => two.rm.clients.search("Зимородкова").map(h => h.id)[0] === target.id, 30_000)
    await eventually(
      "the second desk's records to be the first desk's",
      () => JSON.stringify(recordRows(two.rm.file)) === JSON.stringify(recordRows(one.rm.file)),
      30_000,
      { describe: () => JSON.stringify({ one: one.rm.counts(), two: two.rm.counts() }) },
    )

    // and it goes on syncing both ways, as any desk does
    const a = clinic.clients[40]!
    const b = clinic.clients[41]!
    await one.call("clients.update", { id: a.id, patch: { phone: "+79990000001" } })
    await two.call("clients.update", { id: b.id, patch: { phone: "+79990000002" } })
    await eventually("the first desk's edit on the second", () => two.rm.clients.get(a.id)?.phone === "+79990000001", 30_000)
    await eventually("the second desk's edit on the first", () => one.rm.clients.get(b.id)?.phone === "+79990000002", 30_000)
  })
})
