import * as path from "node:path"
import type { StorageKey } from "@automerge/automerge-repo"
import { clientShardKey } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { DeskCore } from "../../src/index.js"
import { CLINIC, tmpDir } from "./fixtures.js"

describe("the read model never runs ahead of the desk's disk", () => {
  const open: DeskCore[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
  })

  it("shows a record only once its change is on disk, however slow the disk", async () => {
    const desk = await DeskCore.open({
      dataDir: path.join(tmpDir("slowdisk"), "desk"),
      clinicId: CLINIC,
      deskId: "desk-s",
      deskCode: "S",
    })
    open.push(desk)
    const storage = desk.docs.storage
    const save = storage.save.bind(storage)
    let saved = 0
    // every chunk takes a second to reach the disk
    storage.save = async (key: StorageKey, data: Uint8Array) => {
      await new Promise(r => setTimeout(r, 1000))
      await save(key, data)
      saved++
    }
    let answered = false
    const created = desk
      .call("clients.create", { name: "Медленный Диск", phone: "+79001112233" })
      .finally(() => (answered = true))
    // while the write is on its way to disk the read model must not show the client (a crash now would make it a phantom)
    const seenEarly = await eventually(
      "the create to be answered, or the client to appear in the read model first",
      () => answered || desk.rm.clients.search("медленный", 5).length > 0,
      30_000,
      { pollMs: 5 },
    )
    expect(seenEarly).toBe(true)
    expect(answered, "the read model showed the client before its change was saved").toBe(true)
    const { client } = await created
    expect(saved).toBeGreaterThan(0)
    expect(desk.rm.clients.get(client.id)?.name).toBe("Медленный Диск")
  })

  it("rebuilds a document's records when the read model reflects heads the document never gets", async () => {
    const desk = await DeskCore.open({
      dataDir: path.join(tmpDir("ahead"), "desk"),
      clinicId: CLINIC,
      deskId: "desk-a",
      deskCode: "A",
      readModelAheadMs: 300,
    })
    open.push(desk)
    const { client } = await desk.call("clients.create", { name: "Первый Клиент", phone: "+79001110000" })
    const key = clientShardKey(client.id)
    const id = desk.docs.layout.idOf(key)
    // as after a crash: the read model says it reflects a change that is on no disk
    desk.rm.ledger.setDocHeads(id, key, ["ab".repeat(32)])
    const handle = await desk.docs.open(key)
    handle.change(d => {
      const shard = d as unknown as { clients: Record<string, Record<string, unknown>> }
      const c = shard.clients[client.id]
      if (c) c.name = "Исправленный Клиент"
    })
    await eventually(
      "the read model to take the document's records again",
      () => desk.rm.clients.get(client.id)?.name === "Исправленный Клиент",
      20_000,
      { describe: () => `read model has ${desk.rm.clients.get(client.id)?.name}` },
    )
  })
})
