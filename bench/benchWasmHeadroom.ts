import type { RelayServerOptions } from "@vetsync/sync-server"

/** Whether the benchmark's processes keep wasm room (WasmHeadroom): yes, unless VETSYNC_BENCH_WASM_HEADROOM=0. */
export const benchWasmHeadroomOn = (): boolean => process.env.VETSYNC_BENCH_WASM_HEADROOM !== "0"

/**
 * The relay's wasm headroom as the benchmarks start it: on (the product's default), or off with
 * VETSYNC_BENCH_WASM_HEADROOM=0 to measure what it changes.
 */
export const benchWasmHeadroom = (): Pick<RelayServerOptions, "wasmHeadroom"> =>
  benchWasmHeadroomOn() ? {} : { wasmHeadroom: false }
