import * as path from "node:path"
import { clientShardKey } from "@vetsync/shared"
import { afterEach, describe, expect, it } from "vitest"
import { DeskCore } from "../../src/index.js"
import { CLINIC, tmpDir } from "./fixtures.js"

/**
 * A command's records reach SQLite once: in the one transaction that takes the document's change
 * (after it is on disk) and records the heads it reflects - not once from the change and again
 * from the command.
 */
describe("a command writes its records into the read model once", () => {
  const open: DeskCore[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
  })

  /** every write of a record and of a document's heads, with the transaction it was made in (0: none) */
  const recordWrites = (desk: DeskCore): { what: string; tx: number }[] => {
    const rm = desk.rm
    const log: { what: string; tx: number }[] = []
    let tx = 0
    let current = 0
    const transaction = rm.transaction.bind(rm)
    rm.transaction = <T>(fn: () => T): T => {
      const outer = current
      current = outer || ++tx
      try {
        return transaction(fn)
      } finally {
        current = outer
      }
    }
    const upsertClient = rm.upsertClient.bind(rm)
    rm.upsertClient = c => {
      log.push({ what: `client ${c.name}`, tx: current })
      upsertClient(c)
    }
    const upsertPatient = rm.upsertPatient.bind(rm)
    rm.upsertPatient = p => {
      log.push({ what: `patient ${p.name}`, tx: current })
      upsertPatient(p)
    }
    const setDocHeads = rm.ledger.setDocHeads.bind(rm.ledger)
    rm.ledger.setDocHeads = (docId, key, heads) => {
      log.push({ what: `heads ${key}`, tx: current })
      setDocHeads(docId, key, heads)
    }
    return log
  }

  it("creates a client with patients and edits it: each record once, with its document's heads, in one transaction", async () => {
    const desk = await DeskCore.open({
      dataDir: path.join(tmpDir("onewrite"), "desk"),
      clinicId: CLINIC,
      deskId: "desk-w",
      deskCode: "W",
    })
    open.push(desk)
    await desk.ready
    let shard = ""
    const log = recordWrites(desk)
    // the desk's other documents (the root listing the shard, the pinned ones opening) are taken on their own
    const ofCommand = (): { what: string; tx: number }[] =>
      log.filter(w => !w.what.startsWith("heads ") || w.what === `heads ${shard}`)
    const { client } = await desk.call("clients.create", {
      name: "Соколова Анна",
      phone: "+79001112233",
      patients: [
        { name: "Барсик", species: "кошка" },
        { name: "Мурка", species: "кошка" },
      ],
    })
    shard = clientShardKey(client.id)
    const created = ofCommand()
    expect(created.map(w => w.what).sort()).toEqual(
      ["client Соколова Анна", "patient Барсик", "patient Мурка", `heads ${shard}`].sort(),
    )
    expect(new Set(created.map(w => w.tx)).size).toBe(1)
    expect(created[0]?.tx).toBeGreaterThan(0)

    log.length = 0
    await desk.call("clients.update", { id: client.id, patch: { name: "Воронцова Анна" } })
    const updated = ofCommand()
    expect(updated.map(w => w.what).sort()).toEqual(["client Воронцова Анна", `heads ${shard}`])
    expect(new Set(updated.map(w => w.tx)).size).toBe(1)
    expect(desk.rm.clients.get(client.id)?.name).toBe("Воронцова Анна")
    expect(desk.rm.clients.search("Воронцова").map(h => h.id)).toEqual([client.id])
  })
})
