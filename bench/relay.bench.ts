import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generateClinic } from "@vetsync/test-kit/seed"
import { seedRelayStorage } from "../cli/seed.js"
import type { Benchmark } from "./benchmark.js"
import { Proc } from "./desk/Proc.js"
import { relayDrivers, type DriverArgs } from "./relay/builtDrivers.js"
import type { Row } from "./table.js"

const here = import.meta.dirname
// the same seeded relay directory as the desk benchmark (built once, then kept)
const SEED_DIR = path.join(here, "out", "relay-seed")
const MARK = path.join(SEED_DIR, "seeded-v1")
/** edits timed until the snapshot reflects each */
const EDITS = 20

/**
 * The relay restarted on the snapshot the first run kept, and a desk in a process of its own: each
 * of the desk's edits is timed from the change (the desk's clock) until the relay's snapshot has its
 * heads (the relay's clock; both are this machine's, read to the fraction of a ms).
 */
const incremental = async (work: string, driver: DriverArgs): Promise<Row[]> => {
  const relay = new Proc(driver("edits.ts", work))
  let desk: Proc | undefined
  try {
    const started = await relay.next("listening")
    const current = await relay.next("snapshot-current", () => true, 900_000)
    desk = new Proc(["--import", "tsx", path.join(here, "relay/editingDesk.ts"), String(started.url)])
    await desk.next("ready")
    const times: number[] = []
    for (let i = 0; i < EDITS; i++) {
      desk.send({ op: "edit", i })
      const edited = await desk.next("edited", e => e.i === i)
      if (edited.skipped) continue
      relay.send({ op: "reflect", docId: edited.docId, heads: edited.heads })
      const reflected = await relay.next("reflected", () => true, 120_000)
      relay.events.splice(relay.events.indexOf(reflected), 1)
      times.push(Number(reflected.at) - Number(edited.at))
    }
    relay.send({ op: "done" })
    const done = await relay.next("edits-done")
    const inOrder = times.map(t => Math.round(t))
    times.sort((a, b) => a - b)
    const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))]!
    return [
      {
        metric: "relay restart → kept snapshot current",
        value: s(current.t - started.t),
        target: "",
        note: "entries read from disk, documents whose stored chunks changed read again (none here)",
      },
      {
        metric: "edit → snapshot current, p50 / max",
        value: `${Math.round(q(0.5))} / ${Math.round(times.at(-1)!)} ms`,
        target: "< 2 s",
        note: `${times.length} edits of client shards by a desk process on loopback, one after another: from the desk's change to the relay's snapshot entry with its heads (500 ms debounce included, polled every 5 ms); only the edited shard read again; in order: ${inOrder.join(", ")} ms`,
      },
      {
        metric: "peak RSS, restart + incremental updates",
        value: mb(relay.peakRss()),
        target: "< 400 MB",
        note: `VmHWM of the restarted relay alone (the desk runs in its own process, peak ${mb(desk.peakRss())}) through its start on the kept snapshot and the ${times.length} updates; RSS at the end ${mb(Number(done.rss))}, ${String(done.loaded)} documents loaded${MAX_LOADED ? `; at most ${MAX_LOADED} loaded (VETSYNC_BENCH_MAX_LOADED: VETSYNC_MAX_LOADED_DOCS)` : ""}`,
      },
    ]
  } finally {
    await desk?.stop()
    await relay.stop()
  }
}

/** VETSYNC_BENCH_MAX_LOADED: the restarted relay keeps at most this many documents loaded (relay/edits.ts) */
const MAX_LOADED = process.env.VETSYNC_BENCH_MAX_LOADED

/** how long a document stays loaded untouched, in this benchmark */
const IDLE_MS = 5_000
const mb = (b: number): string => `${Math.round(b / 1024 / 1024)} MB`
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

export const benchmark: Benchmark = {
  name: "relay",
  description:
    "The relay alone with the seed-scale clinic (61,974 clients, 82,371 patients) in its own process, as deployed (its JavaScript build, plain node; VETSYNC_BENCH_RELAY_TSX=1: the sources under tsx): the snapshot build from a data directory without a kept snapshot (peak RSS), then every document loaded as desks syncing all of them would, then unloaded when idle; then the relay restarted on its kept snapshot, a desk's edits each timed until the snapshot reflects it (incremental updates, peak RSS).",
  async run(): Promise<Row[]> {
    const rows: Row[] = []
    if (!existsSync(MARK)) {
      rmSync(SEED_DIR, { recursive: true, force: true })
      const clinic = generateClinic({ seed: 1 })
      const t = Date.now()
      const r = await seedRelayStorage({
        dataDir: SEED_DIR,
        clinicId: "bench",
        clients: clinic.clients.length,
        patients: clinic.patients.length,
        priceList: true,
      })
      writeFileSync(MARK, new Date().toISOString())
      rows.push({ metric: "import the clinic into documents", value: s(Date.now() - t), target: "", note: `${r.docs} docs, ${mb(r.bytes)}` })
    }
    // the relay as deployed: its JavaScript build (VETSYNC_BENCH_RELAY_TSX=1: the sources under tsx)
    const driver = await relayDrivers(path.join(here, "out", "relay-dist"))
    // the documents only: no kept snapshot, so the relay builds it
    const work = mkdtempSync(path.join(os.tmpdir(), "vetsync-relay-bench-"))
    try {
      cpSync(path.join(SEED_DIR, "docs"), path.join(work, "docs"), { recursive: true })
      const relay = new Proc(driver("relay.ts", work, String(IDLE_MS)))
      try {
        const started = (await relay.next("listening")).t
        const current = await relay.next("snapshot-current", () => true, 900_000)
        const buildPeak = relay.peakRss()
        rows.push({
          metric: "relay start → snapshot built and current",
          value: s(current.t - started),
          target: "",
          note: "no kept snapshot: every document read from storage, one at a time",
        })
        rows.push({
          metric: "peak RSS through the build",
          value: mb(buildPeak),
          target: "< 400 MB",
          note: `VmHWM of the relay process; RSS at the end ${mb(Number(current.rss))}; before (issue 13): 2,349–2,373 MB`,
        })
        rows.push({ metric: "documents loaded after the build", value: String(current.loaded), target: "", note: "the Repo's handles" })
        const all = await relay.next("all-loaded", () => true, 900_000)
        rows.push({
          metric: "documents loaded at most, every one found",
          value: String(all.most),
          target: "",
          note: `as desks syncing all ${String(all.docs)} would (through the Repo, ${String(all.loaded)} still loaded at the end); took ${s(all.t - current.t)}; peak RSS now ${mb(relay.peakRss())}, RSS ${mb(Number(all.rss))}`,
        })
        const unloaded = await relay.next("unloaded", () => true, 300_000)
        rows.push({
          metric: "documents loaded after idle unload",
          value: String(unloaded.loaded),
          target: "0",
          note: `${String(unloaded.unloaded)} unloaded ${s(unloaded.t - all.t)} after (idle ${s(IDLE_MS)}); RSS ${mb(Number(unloaded.rss))} (wasm memory does not shrink)`,
        })
      } finally {
        await relay.stop()
      }
      rows.push(...(await incremental(work, driver)))
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
    return rows
  },
}
