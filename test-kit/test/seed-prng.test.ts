import { describe, expect, it } from "vitest"
import { Rng, hash32, mulberry32 } from "@vetsync/test-kit/seed"

describe("seeded random numbers", () => {
  it("mulberry32 repeats its sequence for a seed", () => {
    const a = mulberry32(123)
    const b = mulberry32(123)
    const xs = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs)
    expect(xs.every(x => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true)
    expect(new Set(xs).size).toBe(5)
  })

  it("hash32 is stable and spreads nearby labels", () => {
    expect(hash32("1:clients")).toBe(hash32("1:clients"))
    expect(hash32("1:clients")).not.toBe(hash32("1:patients"))
  })

  it("gives independent streams per label and repeatable ones per (seed, label)", () => {
    const uuids = (seed: number, label: string): string[] => {
      const r = new Rng(seed, label)
      return Array.from({ length: 3 }, () => r.uuid())
    }
    expect(uuids(1, "a")).toEqual(uuids(1, "a"))
    expect(uuids(1, "a")).not.toEqual(uuids(1, "b"))
    expect(uuids(1, "a")).not.toEqual(uuids(2, "a"))
    for (const id of uuids(9, "x"))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("keeps int, pick, weighted and shuffled within their bounds", () => {
    const r = new Rng("bounds")
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 7)
      expect(n >= 3 && n <= 7 && Number.isInteger(n)).toBe(true)
      const f = r.float()
      expect(f >= 0 && f < 1).toBe(true)
    }
    expect(["a", "b"]).toContain(r.pick(["a", "b"]))
    expect(
      r.weighted([
        ["only", 1],
        ["never", 0],
      ] as const),
    ).toBe("only")
    expect(r.digits(15)).toMatch(/^\d{15}$/)
    const xs = [1, 2, 3, 4, 5, 6, 7, 8]
    const s = r.shuffled(xs)
    expect([...s].sort((a, b) => a - b)).toEqual(xs)
    expect(xs).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(() => r.pick([])).toThrow()
  })
})
