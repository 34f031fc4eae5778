import * as A from "@automerge/automerge"
import { Repo } from "@automerge/automerge-repo"
import { genesisBinary, readRecord, type AnyClinicDoc, type AnyRecord, type Client, type DocKey } from "@vetsync/shared"
import { afterEach, describe, expect, it, vi } from "vitest"
import { insertRecord, patchRecord } from "../../src/core/commands/context.js"
import type { ClinicHandle } from "../../src/core/DocStore.js"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { ReadModelUpdater } from "../../src/core/ReadModelUpdater.js"
import { CLINIC, sampleClient, samplePatient } from "./fixtures.js"

const KEY: DocKey = "clients/0"
const LATER = "2026-11-02T10:00:00.000Z"

/**
 * ReadModelUpdater on an in-memory document (no disk, no network): a document's changes and a
 * command's own records go into SQLite in one transaction, each record once.
 */
describe("ReadModelUpdater", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const setUp = (): { rm: ReadModel; updater: ReadModelUpdater; handle: ClinicHandle } => {
    const rm = ReadModel.open(":memory:")
    open.push(rm)
    const repo = new Repo({ network: [] })
    const handle = repo.import<AnyClinicDoc>(genesisBinary(CLINIC, KEY))
    return { rm, updater: new ReadModelUpdater(rm), handle }
  }
  const put = (handle: ClinicHandle, ...records: [AnyRecord["collection"], object][]): void =>
    handle.change(d => {
      for (const [collection, r] of records) insertRecord(d, collection, { ...r })
    })
  const rename = (handle: ClinicHandle, current: Client, name: string): void =>
    handle.change(d => patchRecord(d, "clients", current.id, { ...current }, { name, updatedAt: LATER }))
  const written = (handle: ClinicHandle, ...ids: string[]): AnyRecord[] =>
    ids.map(id => readRecord(handle.doc(), "clients", id)).filter((r): r is AnyRecord => r !== undefined)
  /** counts the read model's transactions and writes of records */
  const spy = (rm: ReadModel) => ({
    transaction: vi.spyOn(rm, "transaction"),
    upsertClient: vi.spyOn(rm, "upsertClient"),
    upsertPatient: vi.spyOn(rm, "upsertPatient"),
  })

  it("writes a command's records once, in the transaction that takes the document's other changes and heads", () => {
    const { rm, updater, handle } = setUp()
    const anna = sampleClient("c1", "Соколова Анна")
    put(handle, ["clients", anna])
    expect(updater.update(KEY, handle)?.collections).toEqual(["clients"])
    // a peer's change not taken yet, then this desk's command
    put(handle, ["clients", sampleClient("c2", "Орлов Пётр")], ["patients", samplePatient("p2", "c2", "Рекс")])
    rename(handle, anna, "Воронцова Анна")

    const calls = spy(rm)
    const result = updater.update(KEY, handle, { written: written(handle, "c1") })
    expect(result?.collections.sort()).toEqual(["clients", "patients"])
    expect(calls.transaction).toHaveBeenCalledTimes(1)
    expect(calls.upsertClient.mock.calls.map(([c]) => [c.id, c.name]).sort()).toEqual([
      ["c1", "Воронцова Анна"],
      ["c2", "Орлов Пётр"],
    ])
    expect(calls.upsertPatient).toHaveBeenCalledTimes(1)
    expect(rm.ledger.getDocHeads(handle.documentId)).toEqual(A.getHeads(handle.doc()))
    expect(updater.update(KEY, handle)).toBeUndefined()
    expect(rm.clients.search("Воронцова").map(h => h.id)).toEqual(["c1"])
    expect(rm.clients.search("Рекс").map(h => h.id)).toEqual(["c2"])
  })

  it("records the document's heads with its records, and takes nothing when nothing changed", () => {
    const { rm, updater, handle } = setUp()
    put(handle, ["clients", sampleClient("c1", "Соколова Анна")])
    updater.update(KEY, handle)
    expect(rm.ledger.getDocHeads(handle.documentId)).toEqual(A.getHeads(handle.doc()))
    expect(updater.isAhead(handle)).toBe(false)
    const calls = spy(rm)
    expect(updater.update(KEY, handle)).toBeUndefined()
    expect(calls.transaction).not.toHaveBeenCalled()
  })

  it("takes a command's own records while the read model waits for heads its document lacks, and keeps waiting", () => {
    const { rm, updater, handle } = setUp()
    const anna = sampleClient("c1", "Соколова Анна")
    put(handle, ["clients", anna])
    updater.update(KEY, handle)
    // as after a snapshot: the read model reflects a change the document does not have yet
    const ahead = ["ab".repeat(32)]
    rm.ledger.setDocHeads(handle.documentId, KEY, ahead)
    rename(handle, anna, "Воронцова Анна")
    expect(updater.isAhead(handle)).toBe(true)

    // a change from elsewhere waits
    expect(updater.update(KEY, handle)).toBeUndefined()
    expect(rm.clients.get("c1")?.name).toBe("Соколова Анна")

    // the command's own record goes in, the heads stay what the read model reflected
    const calls = spy(rm)
    expect(updater.update(KEY, handle, { written: written(handle, "c1") })?.collections).toEqual(["clients"])
    expect(calls.transaction).toHaveBeenCalledTimes(1)
    expect(calls.upsertClient).toHaveBeenCalledTimes(1)
    expect(rm.clients.get("c1")?.name).toBe("Воронцова Анна")
    expect(rm.ledger.getDocHeads(handle.documentId)).toEqual(ahead)

    // told to rebuild: every record of the document, and its heads
    put(handle, ["clients", sampleClient("c2", "Орлов Пётр")])
    expect(updater.update(KEY, handle, { rebuildIfAhead: true })?.collections).toEqual(["clients"])
    expect(rm.clients.get("c2")?.name).toBe("Орлов Пётр")
    expect(updater.isAhead(handle)).toBe(false)
  })
})
