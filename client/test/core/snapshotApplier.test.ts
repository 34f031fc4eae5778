import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  docIdFor,
  EMPTY_PROFILE,
  parseSnapshotLine,
  readSnapshot,
  snapshotLines,
  type Client,
  type Patient,
  type SnapshotLine,
  type SnapshotRecords,
} from "@vetsync/shared"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { SnapshotApplier } from "../../src/core/SnapshotApplier.js"
import { sampleClient, samplePatient, tmpDir } from "./fixtures.js"

const client = (id: string, name: string, updatedAt = "2026-11-01T10:00:00.000Z"): Client =>
  sampleClient(id, name, { phone: "+7 900 111-22-33", updatedAt })
const patient = (id: string, clientId: string, name: string): Patient =>
  samplePatient(id, clientId, name, {
    species: "собака",
    sex: "male",
    birthDate: "2021-05-01",
    chip: "643094100000777",
  })
const shard = (key: SnapshotRecords["key"], clients: Client[], patients: Patient[]): SnapshotRecords => ({
  type: "records",
  key,
  clients,
  patients,
  appointments: [],
  invoices: [],
})
const lines = (clinicId: string, parts: SnapshotRecords[]): SnapshotLine[] =>
  snapshotLines({ clinicId, generatedAt: "2026-11-02T00:00:00.000Z", docs: {} }, parts, [], [])

describe("SnapshotApplier", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const readModel = (): ReadModel => {
    const rm = ReadModel.open(path.join(tmpDir("snap"), "readmodel.sqlite"))
    open.push(rm)
    return rm
  }

  it("makes each document's clients searchable as its line arrives, and ends only on a matching end line", () => {
    const rm = readModel()
    const apply = new SnapshotApplier(rm, "c1")
    const all = lines("c1", [
      shard("clients/0", [client("a", "Соколова Анна")], [patient("p1", "a", "Бобик")]),
      shard("clients/1", [client("b", "Орлов Пётр")], []),
    ])
    expect(apply.lines([all[0]!])).toBeUndefined()
    apply.lines([all[1]!])
    expect(rm.clients.search("Бобик").map(h => h.id)).toEqual(["a"])
    expect(rm.clients.search("Орлов")).toEqual([])
    apply.lines([all[2]!])
    expect(rm.clients.search("Орлов").map(h => h.id)).toEqual(["b"])
    apply.lines([all[3]!])
    apply.lines([all[4]!])
    apply.lines([all[5]!])
    expect(apply.lines([all[6]!])?.clinicId).toBe("c1")
  })

  const P_DOC = docIdFor("c1", "profile")
  it("takes the clinic's profile from its line, unless the read model has the profile document's own state", () => {
    // a document the header names must be the clinic's own (its id derives from the clinic and the key)
    const foreign = snapshotLines(
      { clinicId: "c1", generatedAt: "2026-11-02T00:00:00.000Z", docs: { profile: { docId: docIdFor("c2", "profile"), heads: [] } } },
      [],
      [],
      [],
    )
    expect(() => new SnapshotApplier(readModel(), "c1").lines(foreign)).toThrow(/names document profile as .*, not clinic c1's/)
    const profile = { ...EMPTY_PROFILE, name: "Айболит", timeZone: "Asia/Vladivostok" }
    const withProfile = snapshotLines(
      { clinicId: "c1", generatedAt: "2026-11-02T00:00:00.000Z", docs: { profile: { docId: P_DOC, heads: [] } } },
      [],
      [],
      [],
      profile,
    )
    const rm = readModel()
    const apply = new SnapshotApplier(rm, "c1")
    expect(apply.lines(withProfile)?.clinicId).toBe("c1")
    rm.transaction(() => apply.finish())
    expect(rm.getProfile()).toEqual(profile)
    // a desk that already read the profile document keeps what it read
    const rm2 = readModel()
    rm2.ledger.setDocHeads(P_DOC, "profile", ["h"])
    rm2.setProfile({ ...profile, name: "Newer" })
    const apply2 = new SnapshotApplier(rm2, "c1")
    apply2.lines(withProfile)
    rm2.transaction(() => apply2.finish())
    expect(rm2.getProfile()?.name).toBe("Newer")
  })

  it("refuses a snapshot of another clinic, lines before the header, and an end line whose count differs", () => {
    const all = lines("c1", [shard("clients/0", [client("a", "Соколова Анна")], [])])
    expect(() => new SnapshotApplier(readModel(), "c2").lines([all[0]!])).toThrow(/clinic c1, expected c2/)
    expect(() => new SnapshotApplier(readModel(), "c1").lines([all[1]!])).toThrow(/before the header/)
    const apply = new SnapshotApplier(readModel(), "c1")
    apply.lines([all[0]!])
    apply.lines([all[1]!])
    expect(() => apply.lines([{ type: "end", records: 5 }])).toThrow(/1 records arrived, its end line says 5/)
  })

  it("keeps the newer version of a record the desk already has, and re-indexes the clients it takes", () => {
    const rm = readModel()
    rm.upsertClient(client("a", "Соколова-Орлова Анна", "2026-11-05T00:00:00.000Z"))
    rm.upsertClient(client("b", "Старое Имя", "2026-10-01T00:00:00.000Z"))
    rm.searchIndex.reindexAll()
    const apply = new SnapshotApplier(rm, "c1")
    for (const l of lines("c1", [
      shard("clients/0", [client("a", "Соколова Анна"), client("b", "Новое Имя")], [patient("p1", "a", "Бобик")]),
    ]))
      apply.lines([l])
    expect(rm.clients.get("a")?.name).toBe("Соколова-Орлова Анна")
    expect(rm.clients.get("b")?.name).toBe("Новое Имя")
    expect(rm.clients.search("Старое")).toEqual([])
    expect(rm.clients.search("Бобик").map(h => h.id)).toEqual(["a"])
  })

  it("leaves the records of a document the read model took from the document itself to that document (merge, never replace)", () => {
    const rm = readModel()
    // clients/0 was taken from its document (a LAN peer's): an edit the relay has not seen yet, older by the clock than the relay's copy
    const doc0 = docIdFor("c1", "clients/0")
    rm.ledger.setDocHeads(doc0, "clients/0", ["h"])
    rm.upsertClient(client("a", "Правка по ЛВС", "2026-10-01T00:00:00.000Z"))
    rm.searchIndex.reindexAll()
    const apply = new SnapshotApplier(rm, "c1")
    const all = snapshotLines(
      {
        clinicId: "c1",
        generatedAt: "2026-11-02T00:00:00.000Z",
        docs: {
          "clients/0": { docId: doc0, heads: [] },
          "clients/1": { docId: docIdFor("c1", "clients/1"), heads: [] },
        },
      },
      [
        shard("clients/0", [client("a", "Версия реле"), client("c", "Только на реле")], []),
        shard("clients/1", [client("b", "Орлов Пётр")], []),
      ],
      [],
      [],
    )
    expect(apply.lines(all)?.clinicId).toBe("c1")
    expect(rm.clients.get("a")?.name).toBe("Правка по ЛВС")
    // what the relay has of that document arrives with the document itself, not from the snapshot
    expect(rm.clients.get("c")).toBeUndefined()
    expect(rm.clients.get("b")?.name).toBe("Орлов Пётр")
    expect(rm.clients.search("Орлов").map(h => h.id)).toEqual(["b"])
  })
})

describe("snapshot lines", () => {
  it("round-trip through NDJSON, and a cut-off or malformed snapshot is an error that says where", () => {
    const all = lines("c1", [shard("clients/0", [client("a", "Соколова Анна")], [patient("p1", "a", "Бобик")])])
    const text = all.map(l => JSON.stringify(l)).join("\n")
    const snap = readSnapshot(text)
    expect(snap.records.clients.map(c => c.id)).toEqual(["a"])
    expect(snap.records.patients.map(p => p.id)).toEqual(["p1"])
    expect(() =>
      readSnapshot(
        all
          .slice(0, -1)
          .map(l => JSON.stringify(l))
          .join("\n"),
      ),
    ).toThrow(/cut off/)
    expect(() => parseSnapshotLine("{", 7)).toThrow(/line 7: not JSON/)
    expect(() => parseSnapshotLine('{"type":"records","key":"nope"}', 3)).toThrow(/line 3: unknown document nope/)
    expect(() => parseSnapshotLine('{"type":"header","format":1}', 1)).toThrow(/format 1, this desk reads format 3/)
    expect(() => parseSnapshotLine('{"type":"gossip"}', 2)).toThrow(/unknown line type gossip/)
  })

  it("reads a records line's search bodies only as one string per client", () => {
    const line = shard("clients/0", [client("a", "Соколова Анна"), client("b", "Орлов Пётр")], [])
    const text = (search: unknown): string => JSON.stringify({ ...line, search })
    const ok = parseSnapshotLine(text({ version: 1, bodies: ["соколова анна", "орлов петр"] }), 2)
    expect(ok.type === "records" && ok.search?.bodies).toEqual(["соколова анна", "орлов петр"])
    for (const bad of [{ version: 1, bodies: ["one"] }, { version: 1, bodies: ["a", 2] }, { bodies: ["a", "b"] }, ["a", "b"]])
      expect(() => parseSnapshotLine(text(bad), 2)).toThrow("snapshot line 2: malformed search bodies")
  })
})
