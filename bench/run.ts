/**
 * Runs the benchmarks in order and prints each as a markdown table.
 *   npm run bench                    all of them
 *   npm run bench -- generate search only those named
 *   npm run bench -- --json          also write bench/out/<name>.json
 * To add one: export `benchmark: Benchmark` from bench/<name>.bench.ts and list it below.
 */
import { mkdir, writeFile } from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import type { Benchmark } from "./benchmark.js"
import { benchmark as bridge } from "./bridge.bench.js"
import { benchmark as clinics } from "./clinics.bench.js"
import { benchmark as desk } from "./desk.bench.js"
import { benchmark as failover } from "./failover.bench.js"
import { benchmark as generate } from "./generate.bench.js"
import { benchmark as headroom } from "./headroom.bench.js"
import { benchmark as history } from "./history.bench.js"
import { benchmark as idle } from "./idle.bench.js"
import { benchmark as importClinic } from "./import.bench.js"
import { benchmark as lan } from "./lan.bench.js"
import { benchmark as relay } from "./relay.bench.js"
import { benchmark as search } from "./search.bench.js"
import { benchmark as system } from "./system.bench.js"
import { benchmark as uiSearch } from "./ui-search.bench.js"
import { formatMs, markdownTable } from "./table.js"

export const BENCHMARKS: readonly Benchmark[] = [
  generate,
  importClinic,
  desk,
  relay,
  search,
  uiSearch,
  history,
  idle,
  system,
  bridge,
  clinics,
  lan,
  failover,
  headroom,
]

const main = async (): Promise<number> => {
  const args = process.argv.slice(2)
  const writeJson = args.includes("--json")
  const names = args.filter(a => !a.startsWith("--"))
  const unknown = names.filter(n => !BENCHMARKS.some(b => b.name === n))
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHMARKS.map(b => b.name).join(", ")}`)
    return 2
  }
  const selected = names.length ? BENCHMARKS.filter(b => names.includes(b.name)) : BENCHMARKS
  const cpu = os.cpus()[0]?.model ?? "unknown CPU"
  console.log(`# VetSync benchmarks\n`)
  console.log(`${new Date().toISOString()} · node ${process.version} · ${os.cpus().length} × ${cpu} · ${os.platform()}`)
  if (!(globalThis as { gc?: unknown }).gc) console.log("(run with --expose-gc for comparable heap figures)")
  let failed = 0
  for (const b of selected) {
    console.log(`\n## ${b.name}\n\n${b.description}\n`)
    const start = performance.now()
    try {
      const rows = await b.run()
      console.log(markdownTable(rows))
      console.log(`\n_${formatMs(performance.now() - start)} in all_`)
      if (writeJson) {
        const dir = path.join(import.meta.dirname, "out")
        await mkdir(dir, { recursive: true })
        await writeFile(
          path.join(dir, `${b.name}.json`),
          JSON.stringify({ name: b.name, at: new Date(), rows }, null, 2),
        )
      }
    } catch (e) {
      failed++
      console.log(`**failed:** ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    }
  }
  return failed ? 1 : 0
}

process.exitCode = await main()
