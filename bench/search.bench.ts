import { mkdtempSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import Database from "better-sqlite3"
import type { Client } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import { ReadModel } from "@vetsync/client"
import { percentile, type Benchmark } from "./benchmark.js"
import { formatMs, type Row } from "./table.js"

const RUNS = 60

/** A phone of the seeds ("+7 916 123-45-67") as staff type it: "8 916 123 45 67". */
const typedWithEight = (phone: string): string => {
  const d = phone.replace(/\D/g, "").slice(1)
  return `8 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6, 8)} ${d.slice(8)}`
}

/** What staff type at the front desk, by kind; each is run RUNS times after a warm-up. */
const queries = (clients: readonly Client[]): [kind: string, query: string][] => {
  const someone = clients[12345] as Client
  const phone = someone.phone || "+7 916 123-45-67"
  return [
    ["surname, common (patronymics share it)", "Федоров"],
    ["surname, most common", "Иванова"],
    ["surname prefix", "Смирн"],
    ["surname and first name prefix", "Кузнецов Але"],
    ["two letters", "Ив"],
    ["three letters in most names", "ова"],
    ["pet name", "Барсик"],
    ["phone as stored", phone],
    ["phone typed with 8 and spaces", typedWithEight(phone)],
    ["phone, last 6 digits", phone.replace(/\D/g, "").slice(-6)],
    ["chip prefix", "643"],
  ]
}

/**
 * Client search over the read model at seed scale, in this process (no desk, no HTTP): what a
 * keystroke costs the core for each kind of query staff type, and how long the index takes to build.
 */
export const benchmark: Benchmark = {
  name: "search",
  description: `client search over the seed-scale read model (61,974 clients, 82,371 patients), in-process: p50/p95 of ${RUNS} runs per query (page of 50), hits on the page, all matches, the first hit; and the index build`,
  run: async () => {
    const clinic = generateClinic({ seed: 1 })
    const dir = mkdtempSync(path.join(os.tmpdir(), "vetsync-bench-search-"))
    const rows: Row[] = []
    try {
      const rm = ReadModel.open(path.join(dir, "readmodel.sqlite"))
      rm.setDurable(false)
      let t0 = performance.now()
      rm.transaction(() => {
        for (const c of clinic.clients) rm.upsertClient(c)
        for (const p of clinic.patients) rm.upsertPatient(p)
      })
      const loadMs = performance.now() - t0
      t0 = performance.now()
      rm.transaction(() => rm.searchIndex.reindexAll())
      rows.push({ query: "(load records)", kind: "bulk load of clients and patients", p50: formatMs(loadMs) })
      rows.push({ query: "(reindexAll)", kind: "search index rebuild", p50: formatMs(performance.now() - t0) })
      for (const [kind, query] of queries(clinic.clients)) {
        let found = rm.clients.find(query, 50)
        for (let i = 0; i < 4; i++) found = rm.clients.find(query, 50)
        const times: number[] = []
        for (let i = 0; i < RUNS; i++) {
          const s = performance.now()
          rm.clients.find(query, 50)
          times.push(performance.now() - s)
        }
        times.sort((a, b) => a - b)
        rows.push({
          query,
          kind,
          p50: formatMs(percentile(times, 50)),
          p95: formatMs(percentile(times, 95)),
          hits: found.hits.length,
          total: found.total,
          first: found.hits[0]?.name ?? "",
        })
      }
      rm.close()
      // a desk's read model of before (version 3) opened by this version: keys and index rebuilt once
      const file = path.join(dir, "readmodel.sqlite")
      const raw = new Database(file)
      raw.prepare("UPDATE meta SET v = '3' WHERE k = 'version'").run()
      raw.close()
      t0 = performance.now()
      ReadModel.open(file).close()
      rows.push({ query: "(migrate)", kind: "open a version-3 read model: name and phone keys, index rebuilt", p50: formatMs(performance.now() - t0) })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    return rows
  },
}
