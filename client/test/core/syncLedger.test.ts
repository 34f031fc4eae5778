import * as path from "node:path"
import Database from "better-sqlite3"
import { afterEach, describe, expect, it } from "vitest"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { sampleClient, tmpDir } from "./fixtures.js"

/** The read model's sync bookkeeping (SyncLedger), in the read model's file and transactions. */
describe("SyncLedger", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const openAt = (file: string): ReadModel => {
    const rm = ReadModel.open(file)
    open.push(rm)
    return rm
  }

  it("keeps each document's heads, relay heads and waiting count, replacing them in place", () => {
    const { ledger } = openAt(":memory:")
    expect(ledger.getDocHeads("d1")).toBeUndefined()
    expect(ledger.getRelayHeads("d1")).toBeUndefined()
    expect(ledger.allDocHeads()).toEqual([])
    expect(ledger.dirtyDocs()).toEqual([])

    ledger.setDocHeads("d1", "clients/0", ["h1"])
    ledger.setDocHeads("d2", "root", [])
    ledger.setDocHeads("d1", "clients/0", ["h2", "h3"])
    expect(ledger.getDocHeads("d1")).toEqual(["h2", "h3"])
    expect(ledger.getDocHeads("d2")).toEqual([])
    expect(ledger.allDocHeads().sort((a, b) => a.docId.localeCompare(b.docId))).toEqual([
      { docId: "d1", key: "clients/0", heads: ["h2", "h3"] },
      { docId: "d2", key: "root", heads: [] },
    ])

    ledger.setRelayHeads("d1", ["h1"], "2026-11-01T10:00:00.000Z")
    ledger.setRelayHeads("d1", ["h2"], "2026-11-01T10:01:00.000Z")
    expect(ledger.getRelayHeads("d1")).toEqual(["h2"])

    ledger.markDirty("d1", "clients/0", 1)
    ledger.markDirty("d3", "invoices/2026-11", 2)
    ledger.markDirty("d1", "clients/0", 4)
    expect(ledger.dirtyDocs().sort((a, b) => a.docId.localeCompare(b.docId))).toEqual([
      { docId: "d1", key: "clients/0", waiting: 4 },
      { docId: "d3", key: "invoices/2026-11", waiting: 2 },
    ])
    ledger.clearDirty("d1")
    ledger.clearDirty("d-never")
    expect(ledger.dirtyDocs()).toEqual([{ docId: "d3", key: "invoices/2026-11", waiting: 2 }])
  })

  it("keeps when the relay last had everything and the bootstrap's phase and targets", () => {
    const { ledger } = openAt(":memory:")
    expect(ledger.lastSyncedAt()).toBeUndefined()
    expect(ledger.bootstrapPhase()).toBeUndefined()
    expect(ledger.bootstrapTargets()).toBeUndefined()
    ledger.setLastSyncedAt("2026-11-01T10:00:00.000Z")
    ledger.setBootstrapPhase("documents")
    ledger.setBootstrapTargets({ "clients/0": ["h1"], root: [] }, "2026-11-01T09:00:00.000Z")
    expect(ledger.lastSyncedAt()).toBe("2026-11-01T10:00:00.000Z")
    expect(ledger.bootstrapPhase()).toBe("documents")
    expect(ledger.bootstrapTargets()).toEqual({ "clients/0": ["h1"], root: [] })
  })

  it("reads what a desk of an earlier build kept: same tables, same meta keys", () => {
    const file = path.join(tmpDir("ledger-compat"), "readmodel.sqlite")
    openAt(file)
    open.pop()?.close()
    // written the way the read model kept its bookkeeping before SyncLedger
    const raw = new Database(file)
    raw.prepare("INSERT INTO doc_heads (doc_id, key, heads) VALUES (?, ?, ?)").run("d1", "clients/3", '["h1"]')
    raw.prepare("INSERT INTO relay_heads (doc_id, heads, at) VALUES (?, ?, ?)").run("d1", '["h0"]', "t")
    raw.prepare("INSERT INTO dirty_docs (doc_id, key, waiting) VALUES (?, ?, ?)").run("d1", "clients/3", 2)
    const meta = raw.prepare("INSERT INTO meta (k, v) VALUES (?, ?)")
    meta.run("lastSyncedAt", "2026-11-01T10:00:00.000Z")
    meta.run("bootstrap", "done")
    meta.run("bootstrapTargets", '{"clients/3":["h1"]}')
    raw.close()

    const { ledger } = openAt(file)
    expect(ledger.getDocHeads("d1")).toEqual(["h1"])
    expect(ledger.getRelayHeads("d1")).toEqual(["h0"])
    expect(ledger.dirtyDocs()).toEqual([{ docId: "d1", key: "clients/3", waiting: 2 }])
    expect(ledger.lastSyncedAt()).toBe("2026-11-01T10:00:00.000Z")
    expect(ledger.bootstrapPhase()).toBe("done")
    expect(ledger.bootstrapTargets()).toEqual({ "clients/3": ["h1"] })
    ledger.setBootstrapTargets({}, "2026-11-02T00:00:00.000Z")
    expect(openAt(file).getMeta("snapshotAt")).toBe("2026-11-02T00:00:00.000Z")
  })

  it("survives a restart, and shares the read model's transactions: records and their heads commit or roll back together", () => {
    const file = path.join(tmpDir("ledger"), "readmodel.sqlite")
    const rm = openAt(file)
    rm.transaction(() => {
      rm.upsertClient(sampleClient("c1", "Соколова Анна"))
      rm.ledger.setDocHeads("d1", "clients/0", ["h1"])
    })
    expect(() =>
      rm.transaction(() => {
        rm.upsertClient(sampleClient("c2", "Орлов Пётр"))
        rm.ledger.setDocHeads("d1", "clients/0", ["h2"])
        rm.ledger.markDirty("d1", "clients/0", 1)
        throw new Error("crash before commit")
      }),
    ).toThrow("crash before commit")
    expect(rm.ledger.getDocHeads("d1")).toEqual(["h1"])
    expect(rm.ledger.dirtyDocs()).toEqual([])
    expect(rm.clients.get("c2")).toBeUndefined()
    open.pop()?.close()

    const again = openAt(file)
    expect(again.ledger.getDocHeads("d1")).toEqual(["h1"])
    expect(again.clients.get("c1")?.name).toBe("Соколова Анна")
  })
})
