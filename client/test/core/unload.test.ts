import * as path from "node:path"
import * as A from "@automerge/automerge"
import { clientShardKey, readRecord, type AnyClinicDoc } from "@vetsync/shared"
import { afterEach, describe, expect, it } from "vitest"
import type { DeskCore } from "../../src/index.js"
import { openDesk, tmpDir } from "./fixtures.js"

/** What is on this desk's disk for a document, loaded the way a fresh process would. */
const onDisk = async (desk: DeskCore, id: string): Promise<A.Doc<AnyClinicDoc>> => {
  const chunks = [
    ...(await desk.docs.storage.loadRange([id, "snapshot"])),
    ...(await desk.docs.storage.loadRange([id, "incremental"])),
  ]
  let doc = A.init<AnyClinicDoc>()
  for (const c of chunks) if (c.data) doc = A.loadIncremental(doc, c.data)
  return doc
}

describe("unloading a document", () => {
  const open: DeskCore[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
  })

  it("keeps every record on disk and in the reopened document (2.5.6 saved the emptied handle over it)", async () => {
    const desk = await openDesk(path.join(tmpDir("unload"), "desk"), undefined, "desk-u")
    open.push(desk)
    const ids: string[] = []
    for (let i = 0; i < 6; i++)
      ids.push(
        (await desk.call("clients.create", { name: `Клиент ${i}`, phone: `+7901000${String(i).padStart(4, "0")}` }))
          .client.id,
      )
    for (let round = 0; round < 2; round++) {
      for (const id of ids) {
        await desk.docs.unload(clientShardKey(id))
        // what is checked is the absence of a late write: automerge-repo's throttled save fires within
        // its 100 ms window, so the window is let pass before the disk is read
        await new Promise(r => setTimeout(r, 150))
        const docId = desk.docs.layout.idOf(clientShardKey(id))
        expect(readRecord(await onDisk(desk, docId), "clients", id), `client ${id} on disk after unload`).toBeDefined()
        const reopened = await desk.docs.open(clientShardKey(id))
        expect(readRecord(reopened.doc(), "clients", id), `client ${id} after reopening`).toBeDefined()
      }
      for (const id of ids) await desk.call("clients.update", { id, patch: { notes: `round ${round}` } })
    }
  })
})
