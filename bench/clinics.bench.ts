import { mkdtempSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { setTimeout as pause } from "node:timers/promises"
import { Database, EmbeddedPg } from "@vetsync/db"
import { docIdFor, exchangeEnrolmentToken } from "@vetsync/shared"
import { clinicAdd, deskAdd } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { latencies, type Benchmark } from "./benchmark.js"
import { clinicTemplate, writeClinic } from "./clinics/clinicSeed.js"
import type { LoopSummary } from "./clinics/LoopStalls.js"
import { relayLoopOf, stallBreakdown, type SeenPair } from "./clinics/stallBreakdown.js"
import { threadCpu } from "./clinics/threadCpu.js"
import { Proc, type ProcEvent } from "./desk/Proc.js"
import { ProcessSampler } from "./idle/ProcessSampler.js"
import type { Row } from "./table.js"

const here = import.meta.dirname
const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number above 0, not ${process.env[name]}`)
  return v
}
const CLINICS = num("VETSYNC_BENCH_CLINICS", 20)
const DESKS = num("VETSYNC_BENCH_DESKS", 5)
/** clients per clinic; patients in the seeds' proportion (61,974 : 82,371) */
const CLIENTS = num("VETSYNC_BENCH_CLIENTS", 61_974)
const PATIENTS = Math.round((CLIENTS * 82_371) / 61_974)
/** client shards every desk of a clinic opens and edits in */
const SHARDS = num("VETSYNC_BENCH_SHARDS", 2)
const EDITS = num("VETSYNC_BENCH_CLINIC_EDITS", 1_000)
/** edits per second over all clinics */
const RATE = num("VETSYNC_BENCH_RATE", 20)
/** the longest wait for the relay's snapshot builds before the desks come */
const SNAPSHOT_WAIT = num("VETSYNC_BENCH_SNAPSHOT_WAIT_S", 3_600) * 1000
/** child processes the light desks run in (clinics/deskHost.ts), the desks dealt out in turn */
const DESK_PROCS = num("VETSYNC_BENCH_DESK_PROCS", 2)
const progress = (line: string): void => {
  process.stderr.write(`  [clinics bench] ${line}\n`)
}
const ms = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)
const mb = (b: number): string => `${Math.round(b / 1024 / 1024)} MB`

interface Pending {
  /** performance.timeOrigin + performance.now() in the editing desk's process when it made the edit (undefined until it says so) */
  at?: number
  /** phones seen before the editor's "edited" line came in (another process may answer first) */
  early: ProcEvent[]
  editor: string
  clinic: number
  seenBy: Set<string>
}

/**
 * One relay (its own process, authenticating against a registry in an embedded PostgreSQL) serving
 * CLINICS clinics of the seeds' scale, each with DESKS simulated desks (light automerge-repo peers in
 * DESK_PROCS child processes, clinics/deskHost.ts, enrolled through the registry: `desks add` token → POST /enrol → credential). Edits
 * spread over all clinics at RATE a second: a client's phone changed on one desk, timed until each
 * other desk of the clinic sees it. The relay's peak RSS (VmHWM) and CPU seconds from /proc.
 */
export const benchmark: Benchmark = {
  name: "clinics",
  description: `One relay, ${CLINICS} clinics of ${CLIENTS.toLocaleString("en-US")} clients each, ${DESKS} simulated desks per clinic: desk → desk edit latency over ${EDITS} edits at ${RATE}/s, relay peak RSS and CPU.`,
  async run(): Promise<Row[]> {
    const rows: Row[] = []
    const tpl = await clinicTemplate(path.join(here, "out"), { clients: CLIENTS, patients: PATIENTS })
    if (tpl.builtMs !== undefined)
      rows.push({ metric: "build one clinic's documents (kept in bench/out for the next runs)", value: ms(tpl.builtMs), target: "", note: `${tpl.docs.size} documents` })
    const work = mkdtempSync(path.join(os.tmpdir(), "vetsync-clinics-bench-"))
    const relayDir = path.join(work, "relay")
    const clinics = Array.from({ length: CLINICS }, (_, i) => `clinic-${i + 1}`)
    const hosts: Proc[] = []
    let relay: Proc | undefined
    const pg = await new EmbeddedPg({ dir: path.join(work, "pg"), fast: true, scratch: true }).start()
    try {
      let t = Date.now()
      let bytes = 0
      for (const c of clinics) bytes += await writeClinic(relayDir, c, tpl.docs)
      rows.push({ metric: `write ${CLINICS} clinics' documents into the relay's directory`, value: ms(Date.now() - t), target: "", note: `${CLINICS} × ${tpl.docs.size} documents, ${mb(bytes)}: the template's, each under its clinic's own ids` })
      const db = await Database.open({ dataDir: path.join(work, "registry"), databaseUrl: pg.url })
      const tokens = new Map<string, { clinic: number; token: string }>()
      try {
        for (const [ci, c] of clinics.entries()) {
          await clinicAdd(db.pool, c, `Clinic ${ci + 1}`)
          for (let d = 1; d <= DESKS; d++) {
            const added = await deskAdd(db.pool, { clinicId: c, deskId: `${c}-desk-${d}` })
            tokens.set(added.deskId, { clinic: ci, token: added.enrolmentToken })
          }
        }
      } finally {
        await db.close()
      }
      // VETSYNC_BENCH_RELAY_PROF=<dir>: the relay writes a CPU profile (node --cpu-prof) there when it stops
      const prof = process.env.VETSYNC_BENCH_RELAY_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.VETSYNC_BENCH_RELAY_PROF}`] : []
      // VETSYNC_BENCH_RELAY_NODE_FLAGS: node's own flags for the relay (e.g. --max-semi-space-size=64), space-separated
      const flags = (process.env.VETSYNC_BENCH_RELAY_NODE_FLAGS ?? "").split(" ").filter(f => f.length > 0)
      relay = new Proc([...flags, ...prof, "--import", "tsx", path.join(here, "clinics/relay.ts"), relayDir, pg.url, clinics.join(",")])
      const listening = await relay.next("listening", () => true, 300_000)
      const syncUrl = String(listening.url)
      // every clinic's snapshot built (one at a time, as the relay does at start) before the desks come,
      // unless that takes longer than SNAPSHOT_WAIT: then the edits are measured with the builds going on
      const current = await relay.next("snapshots-current", () => true, SNAPSHOT_WAIT).catch(() => undefined)
      const built = relay.events.filter(e => e.ev === "snapshot-current").length
      const waited = (current?.t ?? Date.now()) - listening.t
      progress(`relay: ${built} of ${CLINICS} snapshots current after ${ms(waited)}`)
      rows.push({
        metric: current ? `relay start → all ${CLINICS} clinics' snapshots current` : `relay start → snapshots current: ${built} of ${CLINICS}`,
        value: ms(waited),
        target: "",
        note: `${current ? "" : "NOT all built within VETSYNC_BENCH_SNAPSHOT_WAIT_S: the rest build during the edits; "}built one at a time; peak RSS so far ${mb(relay.peakRss())}`,
      })

      // desks: enrolled through the relay, dealt out over DESK_PROCS processes (deskHost.ts), each
      // opening the same client shards as the other desks of its clinic
      t = Date.now()
      for (let i = 0; i < DESK_PROCS; i++) hosts.push(new Proc(["--import", "tsx", path.join(here, "clinics/deskHost.ts")]))
      const hostOf = new Map<string, Proc>()
      const byClinic: string[][] = clinics.map(() => [])
      for (const [deskId, { clinic, token }] of tokens) {
        const a = await exchangeEnrolmentToken(syncUrl, token)
        if (!a.ok) throw new Error(`enrolling ${deskId}: ${a.status} ${a.error ?? ""}`)
        const host = hosts[hostOf.size % hosts.length]!
        host.send({ cmd: "desk", deskId, syncUrl, credential: a.credential.credential })
        hostOf.set(deskId, host)
        byClinic[clinic]?.push(deskId)
      }
      const shardIds = clinics.map(c => Array.from({ length: SHARDS }, (_, s) => docIdFor(c, `clients/${s}`)))
      /** per desk, per shard: some of its client ids */
      const clientsOf = new Map<string, Record<string, string[]>>()
      const opened = async (deskId: string, ids: readonly string[]): Promise<void> => {
        const host = hostOf.get(deskId)!
        host.send({ cmd: "open", deskId, ids })
        const e = await Promise.race([
          host.next("opened", x => x.deskId === deskId, 900_000),
          host.next("error", x => x.deskId === deskId, 900_000).then(x => Promise.reject(new Error(`${deskId}: ${String(x.message)}`))),
        ])
        clientsOf.set(deskId, e.clients as Record<string, string[]>)
      }
      await Promise.all(byClinic.map((ds, ci) => Promise.all(ds.map(d => opened(d, shardIds[ci] ?? [])))))
      progress(`${hostOf.size} desks (in ${DESK_PROCS} processes) enrolled and synced ${SHARDS} shards each in ${ms(Date.now() - t)}`)
      rows.push({ metric: `${hostOf.size} desks enrolled, each with ${SHARDS} client shards`, value: ms(Date.now() - t), target: "", note: `POST /enrol, then the shards through the relay; the desks in ${DESK_PROCS} processes` })

      const pending = new Map<string, Pending>()
      const seen: number[] = []
      const pairs: SeenPair[] = []
      const allSeen: number[] = []
      /** pending edits' phones by client (a later edit of the client covers an earlier one not yet seen) */
      const byClient = new Map<string, string[]>()
      const see = (p: Pending, phone: string, deskId: string, lat: number): void => {
        if (p.seenBy.has(deskId)) return
        p.seenBy.add(deskId)
        seen.push(lat)
        pairs.push({ start: p.at ?? 0, ms: lat })
        if (p.seenBy.size < DESKS - 1) return
        allSeen.push(lat)
        pending.delete(phone)
      }
      /** a desk saw a phone (its process's clock, comparable with the editor's: both are wall-clock based) */
      const onPhone = (e: ProcEvent): void => {
        const phone = String(e.phone)
        const deskId = String(e.deskId)
        const p = pending.get(phone)
        if (!p || p.editor === deskId) return
        if (p.at === undefined) {
          p.early.push(e)
          return
        }
        const lat = Number(e.at) - p.at
        // the desk has this edit, so it has every earlier edit of the client (made on one desk, in order)
        for (const earlier of byClient.get(`${String(e.doc)}/${String(e.client)}`) ?? []) {
          const x = pending.get(earlier)
          if (x?.at !== undefined && x.at <= p.at && x.editor !== deskId) see(x, earlier, deskId, lat)
        }
        see(p, phone, deskId, lat)
      }
      for (const h of hosts)
        h.listen(e => {
          if (e.ev === "phone") onPhone(e)
          else if (e.ev === "edited") {
            const p = pending.get(String(e.phone))
            if (!p) return
            p.at = Number(e.at)
            for (const early of p.early.splice(0)) onPhone(early)
          }
        })
      const sampler = new ProcessSampler(relay.child.pid ?? 0)
      const cpu0 = sampler.sample()?.cpu ?? 0
      const relayPid = relay.child.pid ?? 0
      const main0 = threadCpu(relayPid)
      const bench0 = process.cpuUsage()
      for (const h of hosts) h.send({ cmd: "measure" })
      relay.send({ cmd: "measure" })
      const wall0 = Date.now()
      const t0 = performance.now()
      for (let i = 0; i < EDITS; i++) {
        const wait = t0 + (i * 1000) / RATE - performance.now()
        if (wait > 0) await pause(wait)
        const ci = i % CLINICS
        const ds = byClinic[ci] ?? []
        const editor = ds[Math.floor(i / CLINICS) % ds.length]
        const host = editor === undefined ? undefined : hostOf.get(editor)
        const doc = shardIds[ci]?.[Math.floor(i / CLINICS) % SHARDS]
        if (!editor || !doc || !host) throw new Error(`no desk or shard for clinic ${ci}`)
        // consecutive edits of one shard go to different clients
        const ids = clientsOf.get(editor)?.[doc] ?? []
        const client = ids[Math.floor(i / (CLINICS * SHARDS)) % Math.max(1, ids.length)]
        if (!client) throw new Error(`no client in ${doc}`)
        const phone = `+7900${String(1_000_000 + i)}`
        pending.set(phone, { early: [], editor, clinic: ci, seenBy: new Set() })
        const key = `${doc}/${client}`
        byClient.set(key, [...(byClient.get(key) ?? []).filter(x => pending.has(x)), phone])
        host.send({ cmd: "edit", deskId: editor, doc, client, phone })
      }
      const sentIn = performance.now() - t0
      await eventually("every edit seen by every other desk of its clinic", () => pending.size === 0, 60_000, { pollMs: 50 }).catch(() => undefined)
      const cpu1 = sampler.sample()?.cpu ?? 0
      const main1 = threadCpu(relayPid)
      const benchCpu = process.cpuUsage(bench0)
      const wall1 = Date.now()
      for (const h of hosts) h.send({ cmd: "report" })
      // a starved desk process may answer late: its figures wait up to 3 minutes (the edits' rows do not depend on them)
      const hostLoops = await Promise.all(hosts.map(h => h.next("loop", e => e.t >= wall1, 180_000)))
      const deskLoop: LoopSummary = {
        p50: Math.max(...hostLoops.map(e => Number(e.p50))),
        p99: Math.max(...hostLoops.map(e => Number(e.p99))),
        max: Math.max(...hostLoops.map(e => Number(e.max))),
        stalls: hostLoops.flatMap(e => relayLoopOf(e).stalls),
      }
      const desksCpu = hostLoops.reduce((n, e) => n + Number(e.cpu), 0)
      relay.send({ cmd: "report" })
      const relayLoop = await relay.next("loop", e => e.t >= wall1, 180_000)
      const one = latencies(seen)
      const every = latencies(allSeen)
      progress(`desk → desk p50 ${ms(one.p50)}, p99 ${ms(one.p99)}; relay peak RSS ${mb(relay.peakRss())}`)
      const pairsNote = `${seen.length} (edit, other desk) pairs of ${EDITS} edits over ${CLINICS} clinics, sent in ${ms(sentIn)}`
      rows.push({ metric: "desk → desk p50", value: ms(one.p50), target: "", note: pairsNote })
      rows.push({ metric: "desk → desk p99", value: ms(one.p99), target: "< 150 ms", note: `max ${ms(one.max)}` })
      rows.push({ metric: `desk → all ${DESKS - 1} other desks p50 / p99`, value: `${ms(every.p50)} / ${ms(every.p99)}`, target: "", note: `${every.n} edits seen by every other desk; ${pending.size} not within 60 s of the last` })
      rows.push({ metric: "relay peak RSS", value: mb(relay.peakRss()), target: "< 3 GB", note: "VmHWM: snapshot builds, enrolment, sync and edits" })
      const editWall = performance.now() - t0
      rows.push({
        metric: "relay CPU during the edits",
        value: `${(cpu1 - cpu0).toFixed(1)} s`,
        target: "",
        note: `user + system over ${ms(editWall)} of wall time: main thread ${(main1 - main0).toFixed(1)} s (relaying), other threads ${(cpu1 - cpu0 - (main1 - main0)).toFixed(1)} s (snapshot entry worker, file system, GC)`,
      })
      rows.push({
        metric: `desk processes (${DESK_PROCS}) / benchmark process CPU during the edits`,
        value: `${desksCpu.toFixed(1)} s / ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s`,
        target: "",
        note: `user + system over ${ms(editWall)} of wall time (the desks; the edits' pacing and bookkeeping)`,
      })
      const mem = relayLoop.memory as Record<string, number> | undefined
      if (mem)
        rows.push({
          metric: "relay memory after the edits",
          value: mb(mem.rss ?? 0),
          target: "",
          note: `RSS; V8 heap used ${mb(mem.heapUsed ?? 0)} of ${mb(mem.heapTotal ?? 0)}, external ${mb(mem.external ?? 0)} (array buffers ${mb(mem.arrayBuffers ?? 0)}; the rest of RSS is mostly Automerge's wasm memory), ${mem.loaded ?? "?"} documents loaded in the Repo; wasm headroom ${(mem.wasmReservations ?? -1) < 0 ? "off" : `${mem.wasmReservations} reservations, ${mb(mem.wasmReservedBytes ?? 0)} in all since start`}; lean documents ${(mem.leaned ?? -1) < 0 ? "off" : `on (${mem.leaned} made lean)`}`,
        })
      const gc = relayLoop.gc as Record<string, { n: number; ms: number }> | undefined
      if (gc)
        rows.push({
          metric: "relay garbage collections during the edits",
          value: `${Object.values(gc).reduce((n, g) => n + g.n, 0)}`,
          target: "",
          note: `pauses on the main thread by kind: ${Object.entries(gc).map(([k, g]) => `${k} ${g.n}× ${ms(g.ms)}`).join(", ") || "none"}`,
        })
      rows.push({ metric: "relay CPU in all", value: `${cpu1.toFixed(1)} s`, target: "", note: "since its start (snapshot builds included)" })
      rows.push(
        ...stallBreakdown({
          pairs,
          slowMs: 150,
          relayLoop: relayLoopOf(relayLoop),
          benchLoop: deskLoop,
          benchLabel: `desk processes (${DESK_PROCS}, the worst of them)`,
          relayEvents: relay.events,
          from: wall0,
          to: wall1,
        }),
      )
    } finally {
      for (const h of hosts) h.send({ cmd: "close" })
      await Promise.all(hosts.map(h => h.next("closed", () => true, 30_000).catch(() => undefined)))
      for (const h of hosts) await h.stop()
      await relay?.stop()
      await pg.dispose().catch(() => undefined)
      rmSync(work, { recursive: true, force: true })
    }
    return rows
  },
}
