import type { Row } from "./table.js"

/**
 * A benchmark module exports `benchmark: Benchmark` and is listed in bench/run.ts.
 * `run` does its own setup and teardown and returns the rows of its result table.
 */
export interface Benchmark {
  /** short id, used to select it: `npm run bench -- <name>` */
  name: string
  /** one line: what is measured */
  description: string
  run(): Promise<Row[]>
}

/** Collects garbage when node runs with --expose-gc (npm run bench does), so heap figures are comparable. */
export const collectGarbage = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) gc()
}

/** Runs `fn` and returns its result and wall time in milliseconds. */
export const timed = async <T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number }> => {
  const start = performance.now()
  const result = await fn()
  return { result, ms: performance.now() - start }
}

/** Runs `fn` `times` times (after `warmup` unmeasured runs) and returns the sorted durations in ms. */
export const repeat = async (fn: () => unknown, times: number, warmup = 0): Promise<number[]> => {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < times; i++) {
    collectGarbage()
    out.push((await timed(fn)).ms)
  }
  return out.sort((a, b) => a - b)
}

/** The p-th percentile (0..100) of sorted numbers (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] as number
}

/** Percentiles of unsorted durations (nearest rank), and their largest. */
export interface Latencies {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** p50, p95, p99 and max of durations in any order (NaN for none). */
export const latencies = (xs: readonly number[]): Latencies => {
  const sorted = [...xs].sort((a, b) => a - b)
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  }
}
