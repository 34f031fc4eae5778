import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { eventually } from "@vetsync/test-kit"
import { DurableBatch } from "../../src/core/DurableBatch.js"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"

type Frame = { documentId: string; heads: string[] }

/** frames as a relay sends them: a few documents, each acknowledged with some heads, in any order */
const frames = fc.array(
  fc.record({
    documentId: fc.constantFrom("d1", "d2", "d3", "d4"),
    heads: fc.array(fc.stringMatching(/^[0-9a-f]{8}$/), { minLength: 1, maxLength: 3 }),
  }),
  { maxLength: 40 },
)

/** Where applying the frames one by one leaves the relay heads (each frame replaces its document's). */
const oneByOne = (fs: readonly Frame[]): Map<string, string[]> => {
  const out = new Map<string, string[]>()
  for (const f of fs) out.set(f.documentId, f.heads)
  return out
}

describe("DurableBatch", () => {
  it("hands the frames of one turn over once, each document once, where applying them one by one would leave them", async () => {
    await fc.assert(
      fc.asyncProperty(frames, async fs => {
        const applied: Frame[][] = []
        const batch = new DurableBatch({ apply: b => applied.push(b) })
        for (const f of fs) batch.add(f.documentId, f.heads)
        expect(applied).toEqual([])
        await eventually("the batch to be applied", () => fs.length === 0 || applied.length === 1, 5_000)
        const got = applied.flat()
        expect(new Set(got.map(f => f.documentId)).size).toBe(got.length)
        expect(new Map(got.map(f => [f.documentId, f.heads]))).toEqual(oneByOne(fs))
        batch.close()
      }),
      { numRuns: 60 },
    )
  })

  it("applies what is pending when closed, then takes nothing more; an apply that throws is reported", () => {
    const applied: Frame[][] = []
    const errors: unknown[] = []
    const batch = new DurableBatch({
      apply: b => {
        applied.push(b)
        if (b.some(f => f.documentId === "bad")) throw new Error("refused")
      },
      onError: e => errors.push(e),
    })
    batch.add("d1", ["a"])
    batch.close()
    expect(applied).toEqual([[{ documentId: "d1", heads: ["a"] }]])
    batch.add("d2", ["b"])
    batch.flush()
    expect(applied).toHaveLength(1)
    const other = new DurableBatch({ apply: b => applied.push(b), onError: e => errors.push(e) })
    other.add("d3", ["c"])
    other.flush()
    expect(applied).toHaveLength(2)
    const failing = new DurableBatch({
      apply: () => {
        throw new Error("refused")
      },
      onError: e => errors.push(e),
    })
    failing.add("bad", ["x"])
    failing.flush()
    expect(errors.map(e => (e as Error).message)).toEqual(["refused"])
  })

  it("writes a burst's relay heads in one read-model transaction (SyncLedger.transaction)", () => {
    const rm = ReadModel.open(":memory:")
    try {
      const { ledger } = rm
      ledger.transaction(() => {
        ledger.setRelayHeads("d1", ["h1"], "2026-12-02T10:00:00.000Z")
        ledger.setRelayHeads("d2", ["h2"], "2026-12-02T10:00:00.000Z")
      })
      expect(ledger.getRelayHeads("d1")).toEqual(["h1"])
      expect(ledger.getRelayHeads("d2")).toEqual(["h2"])
      // a failure inside rolls the whole burst back
      expect(() =>
        ledger.transaction(() => {
          ledger.setRelayHeads("d1", ["h3"], "2026-12-02T10:01:00.000Z")
          throw new Error("mid-burst")
        }),
      ).toThrow("mid-burst")
      expect(ledger.getRelayHeads("d1")).toEqual(["h1"])
    } finally {
      rm.close()
    }
  })
})
