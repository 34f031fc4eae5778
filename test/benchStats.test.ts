import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { latencies, percentile } from "../bench/benchmark.js"

const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 300)
const durations = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 500 })

/** The benchmarks' latency figures (bench/benchmark.ts): nearest-rank percentiles of durations in any order. */
describe("benchmark latency figures", () => {
  it("p50 ≤ p95 ≤ p99 ≤ max, each one of the durations, with at least p% of them at or below it", () => {
    fc.assert(
      fc.property(durations, xs => {
        const s = latencies(xs)
        expect(s.n).toBe(xs.length)
        expect(s.p50).toBeLessThanOrEqual(s.p95)
        expect(s.p95).toBeLessThanOrEqual(s.p99)
        expect(s.p99).toBeLessThanOrEqual(s.max)
        expect(s.max).toBe(Math.max(...xs))
        for (const [p, v] of [[50, s.p50], [95, s.p95], [99, s.p99]] as const) {
          expect(xs).toContain(v)
          // nearest rank: at least p % at or below it, fewer than p % strictly below it
          expect(xs.filter(x => x <= v).length / xs.length).toBeGreaterThanOrEqual(p / 100)
          expect(xs.filter(x => x < v).length / xs.length).toBeLessThan(p / 100)
        }
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it("does not depend on the order of the durations, and leaves them as they were", () => {
    fc.assert(
      fc.property(durations, fc.integer({ min: 0 }), (xs, shift) => {
        const copy = [...xs]
        const k = shift % xs.length
        const rotated = [...xs.slice(k), ...xs.slice(0, k)].reverse()
        expect(latencies(rotated)).toEqual(latencies(xs))
        expect(xs).toEqual(copy)
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it("of 100 durations 1..100 ms: p50 50, p95 95, p99 99, max 100; none: NaN", () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(latencies(xs)).toEqual({ n: 100, p50: 50, p95: 95, p99: 99, max: 100 })
    expect(percentile([], 50)).toBeNaN()
    expect(Number.isNaN(latencies([]).max)).toBe(true)
  })
})
