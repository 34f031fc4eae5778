import * as path from "node:path"
import type { DocumentId } from "@automerge/automerge-repo"
import { clientShardKey } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { DeskCore } from "../../src/index.js"
import { CLINIC, relayUrl, startRelay, tmpDir } from "./fixtures.js"

/** automerge-repo's per-document synchronizer (not in its public types) */
interface Synchronizers {
  docSynchronizers: Record<DocumentId, { receiveMessage: (message: unknown) => void } | undefined>
}

/**
 * A document that stays open on a desk while its synchronizer stopped hearing the relay (what
 * automerge-repo 2.5.6 left behind when a sync message raced an unload: a synchronizer bound to
 * the old handle) never received another change: the relay's pushes went nowhere, and the
 * comparison with the relay skipped open documents. The comparison now gives such a document a
 * fresh synchronizer.
 */
describe("an open document deaf to the relay", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  it("is brought level by the desk's next comparison with the relay", async () => {
    const root = tmpDir("deaf")
    const relay = await startRelay(path.join(root, "relay"))
    open.push({ close: () => relay.close() })
    const at = (name: string, deskId: string) =>
      DeskCore.open({ dataDir: path.join(root, name), server: relayUrl(relay), clinicId: CLINIC, deskId, deskCode: name.toUpperCase(), catchUpMs: 1_000 })
    const a = await at("a", "desk-a")
    const b = await at("b", "desk-b")
    open.push(a, b)
    const { client } = await a.call("clients.create", { name: "Глухова Анна", phone: "+7 900 111-22-33" })
    await eventually("the client on desk B", async () => (await b.call("clients.get", { id: client.id })) !== null, 60_000)

    // desk B keeps the shard open, and its synchronizer drops whatever the relay sends
    const key = clientShardKey(client.id)
    const id = b.docs.layout.idOf(key)
    await b.docs.open(key)
    const sync = (b.docs.repo.synchronizer as unknown as Synchronizers).docSynchronizers[id]
    expect(sync, "desk B's synchronizer of the shard").toBeDefined()
    if (sync) sync.receiveMessage = () => undefined

    const updated = await a.call("clients.update", { id: client.id, patch: { phone: "+7 900 444-55-66" } })
    await eventually(
      "desk B to get the new phone through a fresh synchronizer",
      async () => (await b.call("clients.get", { id: client.id }))?.client.phone === updated.phone,
      60_000,
      { describe: async () => `desk B shows ${(await b.call("clients.get", { id: client.id }))?.client.phone}; shard open: ${b.docs.isOpen(key)}` },
    )
    expect(b.docs.isOpen(key), "the shard stayed open throughout").toBe(true)
  })
})
