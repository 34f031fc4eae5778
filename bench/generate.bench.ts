import { gzipSync } from "node:zlib"
import { generateClinic, type GeneratedClinic } from "@vetsync/test-kit/seed"
import { collectGarbage, percentile, repeat, type Benchmark } from "./benchmark.js"
import { formatBytes, formatMs, type Row } from "./table.js"

const RUNS = 3
const PARTS = ["clients", "patients", "appointments", "invoices", "priceItems"] as const

/** Generation time of the seed-scale clinic and the size of its records as JSON. */
export const benchmark: Benchmark = {
  name: "generate",
  description: "generateClinic({ seed }) at seed scale: time (median of 3 after a warm-up), heap and JSON size",
  run: async () => {
    let clinic: GeneratedClinic | undefined
    const times = await repeat(() => (clinic = generateClinic({ seed: 1 })), RUNS, 1)
    if (!clinic) throw new Error("nothing generated")
    const c: GeneratedClinic = clinic
    clinic = undefined
    collectGarbage()
    const heapBefore = process.memoryUsage().heapUsed
    const kept = generateClinic({ seed: 1 })
    collectGarbage()
    const heap = process.memoryUsage().heapUsed - heapBefore
    const rows: Row[] = []
    let json = 0
    let gz = 0
    for (const part of PARTS) {
      const bytes = Buffer.from(JSON.stringify(c[part]))
      const zipped = gzipSync(bytes).length
      json += bytes.length
      gz += zipped
      rows.push({
        part,
        records: c[part].length,
        JSON: formatBytes(bytes.length),
        "JSON gzip": formatBytes(zipped),
        "bytes/record": c[part].length ? Math.round(bytes.length / c[part].length) : 0,
        time: null,
      })
    }
    rows.push({
      part: "**whole clinic**",
      records: PARTS.reduce((s, p) => s + c[p].length, 0),
      JSON: formatBytes(json),
      "JSON gzip": formatBytes(gz),
      "bytes/record": null,
      time: `${formatMs(percentile(times, 50))} (min ${formatMs(times[0] ?? 0)}), heap ≈ ${formatBytes(heap)}`,
    })
    if (kept.clients.length !== c.clients.length) throw new Error("generation is not deterministic")
    return rows
  },
}
