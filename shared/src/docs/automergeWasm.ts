import * as A from "@automerge/automerge"
import { createRequire } from "node:module"
import path from "node:path"

/** What VetSync uses of the exports of the wasm instance @automerge/automerge runs on. */
export interface AutomergeWasmExports {
  /** wasm-bindgen's allocator entry: `size` bytes aligned to `align`, the address */
  __wbindgen_malloc(size: number, align: number): number
  __wbindgen_free(ptr: number, size: number, align: number): void
}

interface PatchedBindings {
  Automerge?: abstract new (...args: never[]) => unknown
  __vetsyncWasmExports?: Partial<AutomergeWasmExports>
}

const PATCH = "patches/@automerge+automerge+3.5.0.patch"
/** module state is per thread: each worker thread loads its own Automerge and its own copy of this */
let found: AutomergeWasmExports | undefined

/**
 * The exports of the wasm instance this thread's @automerge/automerge runs on (Node's build, as
 * `import` loads it; each worker thread has its own). Automerge keeps them to itself; VetSync's
 * patch of the package (PATCH) exports them from its wasm-bindgen output, and this checks that
 * the output found is the one Automerge uses (a document's backend is of its class), so that
 * what is done with them happens in Automerge's own memory. Throws, naming the patch, otherwise.
 */
export const automergeWasmExports = (): AutomergeWasmExports => {
  if (found) return found
  const require = createRequire(import.meta.url)
  // the package's require entry is dist/cjs/; the ESM build's bindings sit in dist/mjs/
  const file = path.join(path.dirname(require.resolve("@automerge/automerge")), "../mjs/wasm_bindgen_output/nodejs/automerge_wasm.cjs")
  const bindings = require(file) as PatchedBindings
  const probe = A.init()
  try {
    if (bindings.Automerge === undefined || !(A.getBackend(probe) instanceof bindings.Automerge))
      throw new Error(`${file} is not the wasm build @automerge/automerge runs on here`)
  } finally {
    A.free(probe)
  }
  const w = bindings.__vetsyncWasmExports
  if (typeof w?.__wbindgen_malloc !== "function" || typeof w.__wbindgen_free !== "function")
    throw new Error(`@automerge/automerge does not export its wasm instance: ${PATCH} is not applied (npm ci applies it)`)
  found = w as AutomergeWasmExports
  return found
}
