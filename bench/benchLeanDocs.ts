import type { RelayServerOptions } from "@vetsync/sync-server"

/**
 * The relay's lean documents (LeanHandles) as the benchmarks start it: on (the product's
 * default), or off with VETSYNC_BENCH_LEAN_DOCS=0 to measure what they change.
 */
export const benchLeanDocs = (): Pick<RelayServerOptions, "leanDocs"> =>
  process.env.VETSYNC_BENCH_LEAN_DOCS === "0" ? { leanDocs: false } : {}
