import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generateClinic, Rng } from "@vetsync/test-kit/seed"
import { seedRelayStorage } from "../cli/seed.js"
import { percentile, type Benchmark } from "./benchmark.js"
import { buildDriver } from "./desk/buildDriver.js"
import { bootstrapPhaseRows } from "./desk/phases.js"
import { Proc } from "./desk/Proc.js"
import type { Row } from "./table.js"

const here = import.meta.dirname
const SEED_DIR = path.join(here, "out", "relay-seed")
const MARK = path.join(SEED_DIR, "seeded-v1")
const tsx = ["--import", "tsx"]
/** how long the benchmark waits for a new desk to have every document before it measures the rest */
const LOCAL_LIMIT = 240_000
const NEW_DESK_ONLY = process.env.VETSYNC_BENCH_NEW_DESK_ONLY === "1"
const progress = (line: string): void => {
  process.stderr.write(`  [desk bench] ${line}\n`)
}
const mb = (b: number): string => `${Math.round(b / 1024 / 1024)} MB`
const ms = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)

/**
 * How desks start: built, as the product ships a desk (buildDriver: one bundle, plain node), or
 * with VETSYNC_BENCH_DESK_TSX=1 from the sources through tsx, as `vetsync desk` runs in a checkout
 */
const DESK_TSX = process.env.VETSYNC_BENCH_DESK_TSX === "1"
/**
 * VETSYNC_BENCH_DESK_PROF=<dir>: every desk writes a V8 CPU profile of its main thread there when it
 * stops (node --cpu-prof; the driver exits on SIGTERM so that it is written); the driver's events
 * carry `monoUs`, the profile's clock, to cut it at "searchable" (bench/desk/profileTop.ts)
 */
const DESK_PROF = process.env.VETSYNC_BENCH_DESK_PROF

const startDesk = (
  driver: string[],
  dataDir: string,
  url: string,
  deskId: string,
  probe: string,
  started: Proc[],
): { proc: Proc; spawnedAt: number } => {
  const spawnedAt = Date.now()
  const prof = DESK_PROF ? ["--cpu-prof", `--cpu-prof-dir=${DESK_PROF}`, `--cpu-prof-name=${deskId}.cpuprofile`] : []
  const proc = new Proc([...prof, ...driver, dataDir, url, deskId, probe])
  started.push(proc)
  return { proc, spawnedAt }
}

export const benchmark: Benchmark = {
  name: "desk",
  description:
    "A relay holding the seed-scale clinic (61,974 clients, 82,371 patients) and desks in separate processes on loopback: bootstrap, restart, search, desk-to-desk edits, peak memory.",
  async run(): Promise<Row[]> {
    const rows: Row[] = []
    const clinic = generateClinic({ seed: 1 })
    if (!existsSync(MARK)) {
      rmSync(SEED_DIR, { recursive: true, force: true })
      const t = Date.now()
      const r = await seedRelayStorage({
        dataDir: SEED_DIR,
        clinicId: "bench",
        clients: clinic.clients.length,
        patients: clinic.patients.length,
        priceList: true,
      })
      writeFileSync(MARK, new Date().toISOString())
      rows.push({
        metric: "import the clinic into documents (64 shards + partitions)",
        value: ms(Date.now() - t),
        target: "",
        note: `${r.docs} docs, ${mb(r.bytes)}`,
      })
    }
    const driver = DESK_TSX
      ? [...tsx, path.join(here, "desk/driver.ts")]
      : [await buildDriver(path.join(here, "out", "desk-driver"))]
    const work = mkdtempSync(path.join(os.tmpdir(), "vetsync-bench-"))
    // a relay that has been running: its snapshot of the clinic is current (built, or kept on disk)
    const first = new Proc([...tsx, path.join(here, "desk/relay.ts"), SEED_DIR])
    const started = (await first.next("listening")).t
    const current = await first.next("snapshot-current", () => true, 600_000)
    rows.push({
      metric: "relay start → snapshot current",
      value: ms(current.t - started),
      target: "",
      note: "a build loads every document; a kept snapshot of unchanged documents loads none",
    })
    const image = await first.next("image-ready", () => true, 600_000)
    rows.push({
      metric: "relay: read-model image ready",
      value: image.built ? ms(image.t - current.t) : "none",
      target: "",
      note: !image.built
        ? "this relay builds none (VETSYNC_BENCH_NO_IMAGE=1): new desks take the snapshot"
        : Number(image.builtAt) >= current.t
          ? `built from the snapshot in a child process (the desk's bulk load; its peak RSS ${mb(Number(image.peakRssBytes))}), after the snapshot was current`
          : "kept from an earlier run (younger than its 10 minutes)",
    })
    await first.stop()
    const buildRss = first.peakRss()
    // restarted on the same data: the snapshot kept on disk is current, no document is loaded
    const relay = new Proc([...tsx, path.join(here, "desk/relay.ts"), SEED_DIR])
    const listening = await relay.next("listening")
    const url = String(listening.url)
    const served = Date.now()
    const snapUrl = url.replace(/^ws/, "http").replace(/\/sync$/, "/clinics/bench/snapshot")
    const snap = await fetch(snapUrl, { headers: { "x-vetsync-clinic": "bench", "x-vetsync-desk": "bench-probe" } })
    const snapBytes = (await snap.arrayBuffer()).byteLength
    await relay.next("snapshot-current", () => true, 600_000)
    await relay.next("image-ready", () => true, 600_000)
    rows.push({
      metric: "relay restart → snapshot served",
      value: ms(Date.now() - served),
      target: "",
      note: `${mb(snapBytes)} NDJSON, gzip on the wire; kept on disk, documents unchanged`,
    })
    progress(`relay snapshot ready (${mb(snapBytes)})`)
    const probe = clinic.clients[12345]!.name.split(" ")[0]!.toLowerCase()
    const desks: Proc[] = []
    try {
      const a = startDesk(driver, path.join(work, "a"), url, "bench-a", probe, desks)
      const startedA = await a.proc.next("started")
      const openedA = await a.proc.next("opened")
      const firstHitA = await a.proc.next("first-hit")
      const searchableA = await a.proc.next("searchable")
      progress(
        `desk A: first hit after ${ms(firstHitA.t - a.spawnedAt)}, whole clinic searchable after ${ms(searchableA.t - a.spawnedAt)}`,
      )
      if (DESK_PROF)
        progress(`desk A's profile: ${DESK_PROF}/bench-a.cpuprofile, searchable at ${String(searchableA.monoUs)} µs`)
      const localA = await a.proc.next("local", () => true, LOCAL_LIMIT).catch(() => undefined)
      progress(
        localA
          ? `desk A has everything local after ${ms(localA.t - a.spawnedAt)}`
          : "desk A: not everything local in time",
      )
      progress(`desk A peak RSS ${mb(a.proc.peakRss())}`)
      rows.push({
        metric: "new desk: first search hit",
        value: ms(firstHitA.t - a.spawnedAt),
        target: "",
        note: "process start → a hit (the snapshot streams in document by document)",
      })
      rows.push({
        metric: "new desk: until search covers the clinic",
        value: ms(searchableA.t - a.spawnedAt),
        target: "< 3 s",
        note: "process start → the relay's read-model image taken (or the whole snapshot applied and indexed)",
      })
      rows.push({
        metric: "new desk: until everything is local",
        value: localA ? ms(localA.t - a.spawnedAt) : `not within ${ms(LOCAL_LIMIT)}`,
        target: "< 8 s",
        note: "all documents at the snapshot's heads",
      })
      rows.push(
        ...bootstrapPhaseRows(a.spawnedAt, {
          started: startedA,
          opened: openedA,
          searchable: searchableA,
          local: localA,
        }),
      )
      // VETSYNC_BENCH_NEW_DESK_ONLY=1: only the new desk's figures (while cutting its bootstrap)
      if (NEW_DESK_ONLY) return rows
      const b = startDesk(driver, path.join(work, "b"), url, "bench-b", probe, desks)
      await b.proc.next("searchable")
      await b.proc.next("local", () => true, LOCAL_LIMIT).catch(() => undefined)
      progress(`desk B ready, peak RSS ${mb(b.proc.peakRss())}`)

      // search latency over names, phones, pet names and chips
      const rng = new Rng("search")
      const queries: string[] = []
      for (let i = 0; i < 400; i++) {
        const c = rng.pick(clinic.clients)
        const p = rng.pick(clinic.patients)
        const pick = i % 4
        queries.push(
          pick === 0
            ? c.name.split(" ")[0]!.slice(0, 3 + (i % 4))
            : pick === 1
              ? c.phone.replace(/\D/g, "").slice(-6)
              : pick === 2
                ? p.name
                : p.chip || c.name,
        )
      }
      a.proc.send({ op: "search", queries })
      const lat = ((await a.proc.next("search")).ms as number[]).sort((x, y) => x - y)
      rows.push({
        metric: "search p50",
        value: `${percentile(lat, 50).toFixed(2)} ms`,
        target: "",
        note: `${lat.length} queries: surname prefixes, phone digits, pet names, chips`,
      })
      rows.push({
        metric: "search p95",
        value: `${percentile(lat, 95).toFixed(2)} ms`,
        target: "< 20 ms",
        note: "in the desk process (core API, no HTTP)",
      })

      // edits travelling from desk A to desk B
      const target = clinic.clients[777]!.id
      b.proc.send({ op: "watch", id: target })
      await b.proc.next("watching")
      const hops: number[] = []
      for (let i = 0; i < 40; i++) {
        const value = `+7999${String(1000000 + i)}`
        a.proc.send({ op: "edit", id: target, value })
        const sent = await a.proc.next("editing", e => e.value === value)
        const seen = await b.proc.next("phone", e => e.value === value, 30_000)
        hops.push(seen.t - sent.t)
        await new Promise(r => setTimeout(r, 50))
      }
      hops.sort((x, y) => x - y)
      progress(`edits measured`)
      rows.push({
        metric: "edit desk A → desk B p50",
        value: ms(percentile(hops, 50)),
        target: "",
        note: `${hops.length} edits of one client's phone, via the relay`,
      })
      rows.push({
        metric: "edit desk A → desk B p95",
        value: ms(percentile(hops, 95)),
        target: "< 150 ms",
        note: "command call on A → read model updated on B",
      })

      // restart: close desk A and start it again on the same data directory
      a.proc.send({ op: "close" })
      await a.proc.next("closed")
      const peakA = a.proc.peakRss()
      const a2 = startDesk(driver, path.join(work, "a"), url, "bench-a", probe, desks)
      const opened = await a2.proc.next("opened")
      const again = await a2.proc.next("searchable")
      rows.push({
        metric: "restart → first search result",
        value: ms(again.t - a2.spawnedAt),
        target: "< 1 s",
        note: `process start incl. Node+tsx; DeskCore.open → result ${ms(again.t - opened.t + Number(opened.ms))}`,
      })
      rows.push({
        metric: "peak RSS desk A (bootstrap, search, edits)",
        value: mb(peakA),
        target: "< 600 MB",
        note: "VmHWM",
      })
      rows.push({ metric: "peak RSS desk B", value: mb(b.proc.peakRss()), target: "< 600 MB", note: "VmHWM" })
      rows.push({
        metric: "peak RSS relay building the snapshot",
        value: mb(buildRss),
        target: "",
        note: "VmHWM of the first relay process (every document loaded) or of reading a kept one",
      })
      rows.push({
        metric: "peak RSS relay serving the two desks",
        value: mb(relay.peakRss()),
        target: "",
        note: "VmHWM, restarted relay with its kept snapshot",
      })
    } finally {
      // desks first: a desk still writing into a removed data directory only adds noise
      for (const d of desks) await d.stop().catch(() => undefined)
      await relay.stop()
      rmSync(work, { recursive: true, force: true })
    }
    return rows
  },
}
