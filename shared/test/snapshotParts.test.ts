import { gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import {
  assembleSnapshotGz,
  buildClinicDocs,
  docIdFor,
  parseSnapshotLine,
  readSnapshot,
  SEARCH_BODY_VERSION,
  searchBodiesOf,
  snapshotPart,
  type AnyClinicDoc,
  type DocKey,
  type SnapshotPart,
} from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const ACTOR = "5eed".repeat(8)
const byId = <T extends { id: string }>(rs: readonly T[]): T[] => [...rs].sort((a, b) => a.id.localeCompare(b.id))

/** The parts of a generated clinic's documents, the root first (as the relay and a serving desk order them). */
const partsOf = async (clinicId: string, docs: Map<DocKey, AnyClinicDoc>): Promise<SnapshotPart[]> => {
  const keys: DocKey[] = ["root", ...[...docs.keys()].filter(k => k !== "root")]
  const parts: SnapshotPart[] = []
  for (const key of keys) {
    const doc = docs.get(key)
    if (!doc) continue
    const part = await snapshotPart(key, docIdFor(clinicId, key), doc, A.getHeads<AnyClinicDoc>(doc))
    if (part) parts.push(part)
  }
  return parts
}

describe("a clinic's snapshot from its documents' parts (the relay's and a LAN desk's, one assembly)", () => {
  it("holds every record of the clinic once, the price list, each document's heads, and an end line that counts the records", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), async (seed, clients, withAcked) => {
        const clinic = generateClinic({ seed, clients, patients: clients + 2, priceItems: 4, days: 1, appointmentsPerDay: 3 })
        const clinicId = `c${seed}`
        const docs = buildClinicDocs(clinicId, clinic, ACTOR)
        const parts = await partsOf(clinicId, docs)
        const acked = withAcked ? { root: parts[0]!.heads } : undefined
        const gz = await assembleSnapshotGz(clinicId, parts, "2026-12-02T10:00:00.000Z", acked)
        const text = gunzipSync(gz).toString("utf8")
        const snap = readSnapshot(text)

        expect(snap.clinicId).toBe(clinicId)
        expect(byId(snap.records.clients)).toEqual(byId(clinic.clients))
        expect(byId(snap.records.patients)).toEqual(byId(clinic.patients))
        expect(byId(snap.records.appointments)).toEqual(byId(clinic.appointments))
        expect(byId(snap.records.invoices)).toEqual(byId(clinic.invoices))
        expect(byId(snap.priceList)).toEqual(byId(clinic.priceItems))
        for (const [key, doc] of docs) expect(snap.docs[key], key).toEqual({ docId: docIdFor(clinicId, key), heads: A.getHeads<AnyClinicDoc>(doc) })

        const lines = text.trimEnd().split("\n").map((l, i) => parseSnapshotLine(l, i + 1))
        const header = lines[0]
        const end = lines.at(-1)
        const total = clinic.clients.length + clinic.patients.length + clinic.appointments.length + clinic.invoices.length
        expect(header?.type === "header" && header.records).toBe(total)
        expect(end).toEqual({ type: "end", records: total })
        // each client shard's line carries its clients' search bodies, as a desk makes them (SnapshotApplier takes them)
        for (const l of lines)
          if (l.type === "records")
            expect(l.search, l.key).toEqual(
              l.clients.length > 0 ? { version: SEARCH_BODY_VERSION, bodies: searchBodiesOf(l.clients, l.patients) } : undefined,
            )
        expect(header?.type === "header" ? header.acked : "no header").toEqual(acked)
        // one records line per document with records, in the parts' order
        expect(lines.flatMap(l => (l.type === "records" ? [l.key] : []))).toEqual(parts.filter(p => p.records > 0).map(p => p.key))
      }),
      { numRuns: 5 },
    )
  })

  it("gives no part for a document without a kind (not a clinic document yet)", async () => {
    const empty = A.from<Record<string, unknown>>({}) as unknown as AnyClinicDoc
    expect(await snapshotPart("root", "x", empty, A.getHeads<AnyClinicDoc>(empty))).toBeUndefined()
  })
})
