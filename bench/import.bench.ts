import { mkdtempSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generateClinic } from "@vetsync/test-kit/seed"
import { seedRelayStorage } from "../cli/seed.js"
import type { Benchmark } from "./benchmark.js"
import { formatBytes, formatMs, type Row } from "./table.js"

/**
 * The import of the seed-scale clinic into its documents (what `vetsync seed`, `npm start` and the
 * desk benchmark's first run do: buildClinicBinariesParallel on this thread and a worker thread, then one
 * snapshot chunk per document on disk).
 * Wall time and this process's CPU time (on a shared machine the wall time also counts others' work).
 */
export const benchmark: Benchmark = {
  name: "import",
  description:
    "The seed-scale clinic (61,974 clients, 82,371 patients, appointments, invoices, price list) built into its documents and written to a relay's storage, once. Target (issue 13): under 30 s; 233.6 s at first, 40.4 s on one thread with 512 MB of wasm memory reserved.",
  async run(): Promise<Row[]> {
    const clinic = generateClinic({ seed: 1 })
    const records = clinic.clients.length + clinic.patients.length + clinic.appointments.length + clinic.invoices.length
    const dir = mkdtempSync(path.join(os.tmpdir(), "vetsync-bench-import-"))
    try {
      const cpu = process.cpuUsage()
      const start = performance.now()
      const r = await seedRelayStorage({
        dataDir: dir,
        clinicId: "bench",
        clients: clinic.clients.length,
        patients: clinic.patients.length,
        priceList: true,
      })
      const wall = performance.now() - start
      const used = process.cpuUsage(cpu)
      const cpuMs = (used.user + used.system) / 1000
      return [
        {
          metric: "import the clinic into documents (64 shards + partitions), wall",
          value: formatMs(wall),
          target: "< 30 s",
          note: `${r.docs} docs, ${formatBytes(r.bytes)}`,
        },
        {
          metric: "the same, CPU time of this process (all its threads)",
          value: formatMs(cpuMs),
          target: "",
          note: "",
        },
        {
          metric: "per record (wall)",
          value: `${(wall / records).toFixed(3)} ms`,
          target: "",
          note: `${records} records + ${clinic.priceItems.length} price items`,
        },
      ]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
