/**
 * One wasm room reservation in a fresh process (its wasm memory as Automerge starts it), then a
 * document built into the room. Prints one JSON line. Run by headroom.bench.ts:
 *   node --import tsx bench/headroom/reserveOnce.ts <untouched|copy> <megabytes> <records>
 */
import * as A from "@automerge/automerge"
import { reserveWasmBytes, wasmMemoryBytes } from "@vetsync/shared/docs"

const MB = 1024 * 1024
const [how, mbArg, recordsArg] = process.argv.slice(2)
const bytes = Number(mbArg) * MB
const records = Number(recordsArg)
if (how !== "untouched" && how !== "copy") throw new Error(`reserveOnce: untouched or copy, not ${how}`)
if (!(bytes >= 0) || !(records >= 0)) throw new Error("reserveOnce: <megabytes> <records>")

/** the reservation before reserveWasmBytes made it untouched: zeros copied in (A.load refuses them) */
const copyZerosIn = (n: number): void => {
  try {
    A.load(new Uint8Array(n))
  } catch {
    // zeros are not a document
  }
}

A.free(A.from({ warm: 1 }))
const rss = (): number => process.memoryUsage().rss
const start = { rss: rss(), wasm: wasmMemoryBytes() }
const t0 = performance.now()
if (how === "copy") copyZerosIn(bytes)
else reserveWasmBytes(bytes)
const reserveMs = performance.now() - t0
const reserved = { rss: rss(), wasm: wasmMemoryBytes() }
const t1 = performance.now()
const doc = A.from({ xs: Array.from({ length: records }, (_, i) => ({ id: `c${i}`, name: `Client ${i}`, phone: `+7900${i}` })) })
const buildMs = performance.now() - t1
const built = { rss: rss(), wasm: wasmMemoryBytes() }
A.free(doc)
process.stdout.write(
  `${JSON.stringify({
    reserveMs,
    reserveRss: reserved.rss - start.rss,
    reserveWasm: reserved.wasm - start.wasm,
    buildMs,
    buildWasm: built.wasm - reserved.wasm,
    rssEnd: built.rss,
  })}\n`,
)
