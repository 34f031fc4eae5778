import * as path from "node:path"
import { DocHandle } from "@automerge/automerge-repo"
import { clientShardKey } from "@vetsync/shared"
import type { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it, vi } from "vitest"
import { DeskCore } from "../../src/index.js"
import { CLINIC, relayUrl, startRelay, tmpDir } from "../core/fixtures.js"

/**
 * A desk that is connected, has nothing waiting, and holds a document open whose synchronizer
 * no longer reaches its handle (what automerge-repo 2.5.6 leaves when a sync message races an
 * unload) never hears the relay's changes of that document: the chaos run of seed 42 ended with
 * one desk "online, 0 waiting" and behind on 31 documents. RelayCatchUp compares the desk's
 * documents with the relay's every `catchUpMs`; a document behind with no progress over two
 * passes makes the desk reconnect and reopen it.
 */
describe("a connected desk catches up with the relay on its own", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
    vi.restoreAllMocks()
  })

  it("reopens an open document that stays behind the relay, and shows the other desk's edit", async () => {
    const root = tmpDir("catch-up")
    const relay: RelayServer = await startRelay(path.join(root, "relay"))
    open.push(relay)
    const desk = (name: string): Promise<DeskCore> =>
      DeskCore.open({
        dataDir: path.join(root, name),
        server: relayUrl(relay),
        clinicId: CLINIC,
        deskId: name,
        deskCode: name.toUpperCase(),
        catchUpMs: 500,
      })
    const a = await desk("desk-a")
    const b = await desk("desk-b")
    open.push(a, b)
    const { client } = await a.call("clients.create", { name: "Соколова Мария", phone: "+7 900 111-22-33" })
    await eventually(
      "desk B to have desk A's client",
      async () => (await b.call("clients.get", { id: client.id })) !== null,
      30_000,
    )
    const key = clientShardKey(client.id)
    const id = a.docs.layout.idOf(key)
    await a.docs.open(key)
    // desk A's synchronizer of the document now serves a handle that never loads: what the
    // relay sends of it goes nowhere, and nothing of desk A's own is waiting
    const lines: string[] = []
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")))
    a.docs.repo.synchronizer.removeDocument(id)
    a.docs.repo.synchronizer.addDocument(new DocHandle(id, () => undefined as never))

    await b.call("clients.update", { id: client.id, patch: { phone: "+7 900 444-55-66" } })
    await eventually(
      "desk A to show desk B's new phone",
      async () => (await a.call("clients.get", { id: client.id }))?.client.phone === "+7 900 444-55-66",
      30_000,
    )
    expect(lines.join("\n")).toContain(`behind the relay without progress (${key}): reconnecting and reopening them`)
    await eventually(
      "desk A to have nothing waiting",
      async () => (await a.call("status", undefined)).waitingRecords === 0,
      30_000,
    )
  })
})
