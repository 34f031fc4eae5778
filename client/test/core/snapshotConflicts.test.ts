import * as path from "node:path"
import { gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import {
  buildClinicDocs,
  conflictsOf,
  docIdFor,
  imm,
  parseSnapshotLine,
  snapshotLines,
  snapshotPart,
  type ClientShardDoc,
  type DocKey,
  type SnapshotRecords,
} from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { SnapshotApplier } from "../../src/core/SnapshotApplier.js"
import { tmpDir } from "./fixtures.js"

const clinic = generateClinic({ seed: "conflicts", clients: 12, patients: 15, priceItems: 2 })
const CLINIC = clinic.clinicId
const docs = buildClinicDocs(CLINIC, clinic, "c0f1".repeat(8))
const SHARD = [...docs.keys()].find(k => k.startsWith("clients/") && Object.keys((docs.get(k) as ClientShardDoc).clients).length >= 1) as DocKey
const FIELDS = ["name", "phone", "email", "address"] as const

/** Two desks' concurrent edits of the shard, merged: each edit is (client index, field, value). */
type Edit = [number, (typeof FIELDS)[number], string]
const merged = (a: Edit[], b: Edit[]): A.Doc<ClientShardDoc> => {
  const base = docs.get(SHARD) as A.Doc<ClientShardDoc>
  const ids = Object.keys(base.clients)
  const edit = (doc: A.Doc<ClientShardDoc>, edits: Edit[]): A.Doc<ClientShardDoc> =>
    A.change(A.clone(doc), d => {
      for (const [i, field, value] of edits) d.clients[ids[i % ids.length]!]![field] = imm(value)
    })
  return A.merge(edit(base, a), edit(base, b))
}

/** The shard's records line as the relay (or a LAN peer) serves it, read back as a desk reads it. */
const lineOf = async (doc: A.Doc<ClientShardDoc>): Promise<SnapshotRecords> => {
  const part = await snapshotPart(SHARD, docIdFor(CLINIC, SHARD), doc, [])
  const line = parseSnapshotLine(gunzipSync(part!.recordsGz).toString("utf8").trim(), 1)
  if (line.type !== "records") throw new Error("not a records line")
  return line
}

/** What a desk that synced the document lists (ReadModelUpdater: conflictsOf of each record). */
const expected = (doc: A.Doc<ClientShardDoc>) =>
  Object.keys(doc.clients)
    .flatMap(id => conflictsOf(doc, "clients", id).map(c => ({ collection: "clients", id, ...c })))
    .sort((x, y) => `${x.id}/${x.field}`.localeCompare(`${y.id}/${y.field}`))

describe("a snapshot's conflicts", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const apply = (line: SnapshotRecords, before?: (rm: ReadModel) => void): ReadModel => {
    const rm = ReadModel.open(path.join(tmpDir("conflicts"), "readmodel.sqlite"))
    open.push(rm)
    before?.(rm)
    const all = snapshotLines({ clinicId: CLINIC, generatedAt: "2026-12-04T00:00:00.000Z", docs: {} }, [line], [], [])
    expect(new SnapshotApplier(rm, CLINIC).lines(all)?.clinicId).toBe(CLINIC)
    return rm
  }

  it("reach a new desk's conflicts list as a desk that synced the document lists them, in bulk and merging", async () => {
    const edit = fc.tuple(fc.nat(20), fc.constantFrom(...FIELDS), fc.string({ minLength: 1, maxLength: 8 }))
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { maxLength: 6 }), fc.array(edit, { maxLength: 6 }), async (a, b) => {
        const doc = merged(a, b)
        const want = expected(doc)
        const line = await lineOf(doc)
        // a line carries conflicts only when there are some
        expect(line.conflicts === undefined).toBe(want.length === 0)
        // a new desk (bulk load)
        expect(apply(line).rejectionsAndConflicts.conflicts()).toEqual(want)
        // a desk that has records already (a snapshot cut off before): the records it takes bring theirs
        const merging = apply(line, rm => rm.upsertClient({ ...Object.values(clinic.clients)[0]!, id: "another" }))
        expect(merging.rejectionsAndConflicts.conflicts()).toEqual(want)
      }),
      { numRuns: 25 },
    )
  })

  it("are refused when malformed, naming the line", async () => {
    const line = await lineOf(merged([[0, "phone", "+7 900 000-00-01"]], [[0, "phone", "+7 900 000-00-02"]]))
    expect(line.conflicts).toHaveLength(1)
    const text = (conflicts: unknown): string => JSON.stringify({ ...line, conflicts })
    for (const bad of [
      {},
      [{ collection: "pets", id: "x", fields: [] }],
      [{ collection: "clients", id: 1, fields: [] }],
      [{ collection: "clients", id: "x", fields: [{ field: "phone", kept: "a", others: [1] }] }],
    ])
      expect(() => parseSnapshotLine(text(bad), 7)).toThrow("snapshot line 7: malformed conflicts")
    expect(parseSnapshotLine(text(line.conflicts), 7)).toEqual(line)
  })
})
