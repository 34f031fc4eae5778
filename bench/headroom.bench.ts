import { execFile } from "node:child_process"
import path from "node:path"
import { promisify } from "node:util"
import type { Benchmark } from "./benchmark.js"
import { formatBytes, formatMs, type Row } from "./table.js"

const SIZES_MB = [32, 64, 128, 256]
/** a document built into the room afterwards: this many small records */
const RECORDS = 20_000
const ONCE = path.join(import.meta.dirname, "headroom", "reserveOnce.ts")

interface Once {
  reserveMs: number
  reserveRss: number
  reserveWasm: number
  buildMs: number
  buildWasm: number
  rssEnd: number
}

const once = async (how: "untouched" | "copy", mb: number): Promise<Once> => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", ONCE, how, String(mb), String(RECORDS)], {
    maxBuffer: 1024 * 1024,
  })
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as Once
}

/**
 * What a wasm room reservation (WasmHeadroom, reserveWasmMemory) costs: reserveWasmBytes, which
 * has the allocator take and free the room untouched, against the way before it, zeros copied in.
 * Each in a fresh process; then a document is built into the room, where pages left untouched
 * are first written.
 */
export const benchmark: Benchmark = {
  name: "headroom",
  description: `wasm room reserved untouched (reserveWasmBytes) or by copying zeros in, ${SIZES_MB.join("/")} MB, fresh process each; then ${RECORDS.toLocaleString("en")} records built into it`,
  run: async () => {
    const rows: Row[] = []
    for (const mb of SIZES_MB)
      for (const how of ["untouched", "copy"] as const) {
        const r = await once(how, mb)
        rows.push({
          room: `${mb} MB`,
          how: how === "untouched" ? "untouched (reserveWasmBytes)" : "zeros copied in (before)",
          reserve: formatMs(r.reserveMs),
          // a fraction of a megabyte either way is the process, not the room
          "RSS added": formatBytes(Math.max(0, r.reserveRss)),
          "wasm memory added": formatBytes(r.reserveWasm),
          "then a document built": formatMs(r.buildMs),
          "wasm grew while building": formatBytes(Math.max(0, r.buildWasm)),
          "RSS at the end": formatBytes(r.rssEnd),
        })
      }
    return rows
  },
}
