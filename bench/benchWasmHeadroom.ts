import type { RelayServerOptions } from "@vetsync/sync-server"

/**
 * The relay's wasm headroom as the benchmarks start it: on (the product's default), or off with
 * VETSYNC_BENCH_WASM_HEADROOM=0 to measure what it changes.
 */
export const benchWasmHeadroom = (): Pick<RelayServerOptions, "wasmHeadroom"> =>
  process.env.VETSYNC_BENCH_WASM_HEADROOM === "0" ? { wasmHeadroom: false } : {}
