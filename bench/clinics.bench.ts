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
import { LightDesk } from "./clinics/LightDesk.js"
import { Proc } from "./desk/Proc.js"
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
const progress = (line: string): void => {
  process.stderr.write(`  [clinics bench] ${line}\n`)
}
const ms = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)
const mb = (b: number): string => `${Math.round(b / 1024 / 1024)} MB`

interface Pending {
  at: number
  editor: string
  clinic: number
  seenBy: Set<string>
}

/**
 * One relay (its own process, authenticating against a registry in an embedded PostgreSQL) serving
 * CLINICS clinics of the seeds' scale, each with DESKS simulated desks (light automerge-repo peers in
 * this process, enrolled through the registry: `desks add` token → POST /enrol → credential). Edits
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
    const desks: LightDesk[] = []
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
      relay = new Proc(["--import", "tsx", path.join(here, "clinics/relay.ts"), relayDir, pg.url, clinics.join(",")])
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

      // desks: enrolled through the relay, each opening the same client shards as the other desks of its clinic
      t = Date.now()
      const byClinic: LightDesk[][] = clinics.map(() => [])
      for (const [deskId, { clinic, token }] of tokens) {
        const a = await exchangeEnrolmentToken(syncUrl, token)
        if (!a.ok) throw new Error(`enrolling ${deskId}: ${a.status} ${a.error ?? ""}`)
        const d = new LightDesk(syncUrl, deskId, a.credential.credential)
        desks.push(d)
        byClinic[clinic]?.push(d)
      }
      const shardIds = clinics.map(c => Array.from({ length: SHARDS }, (_, s) => docIdFor(c, `clients/${s}`)))
      await Promise.all(byClinic.map((ds, ci) => Promise.all(ds.map(d => d.open(shardIds[ci] ?? [])))))
      progress(`${desks.length} desks enrolled and synced ${SHARDS} shards each in ${ms(Date.now() - t)}`)
      rows.push({ metric: `${desks.length} desks enrolled, each with ${SHARDS} client shards`, value: ms(Date.now() - t), target: "", note: "POST /enrol, then the shards through the relay" })

      const pending = new Map<string, Pending>()
      const seen: number[] = []
      const allSeen: number[] = []
      /** pending edits' phones by client (a later edit of the client covers an earlier one not yet seen) */
      const byClient = new Map<string, string[]>()
      const see = (p: Pending, phone: string, deskId: string, lat: number): void => {
        if (p.seenBy.has(deskId)) return
        p.seenBy.add(deskId)
        seen.push(lat)
        if (p.seenBy.size < DESKS - 1) return
        allSeen.push(lat)
        pending.delete(phone)
      }
      for (const d of desks)
        d.onPhone((doc, client, phone) => {
          const p = pending.get(phone)
          if (!p || p.editor === d.deskId) return
          const lat = performance.now() - p.at
          // the desk has this edit, so it has every earlier edit of the client (made on one desk, in order)
          for (const earlier of byClient.get(`${doc}/${client}`) ?? []) {
            const e = pending.get(earlier)
            if (e && e.at <= p.at && e.editor !== d.deskId) see(e, earlier, d.deskId, lat)
          }
          see(p, phone, d.deskId, lat)
        })
      const sampler = new ProcessSampler(relay.child.pid ?? 0)
      const cpu0 = sampler.sample()?.cpu ?? 0
      const t0 = performance.now()
      for (let i = 0; i < EDITS; i++) {
        const wait = t0 + (i * 1000) / RATE - performance.now()
        if (wait > 0) await pause(wait)
        const ci = i % CLINICS
        const ds = byClinic[ci] ?? []
        const editor = ds[Math.floor(i / CLINICS) % ds.length]
        const doc = shardIds[ci]?.[Math.floor(i / CLINICS) % SHARDS]
        if (!editor || !doc) throw new Error(`no desk or shard for clinic ${ci}`)
        // consecutive edits of one shard go to different clients
        const ids = editor.clientIds(doc, 50)
        const client = ids[Math.floor(i / (CLINICS * SHARDS)) % Math.max(1, ids.length)]
        if (!client) throw new Error(`no client in ${doc}`)
        const phone = `+7900${String(1_000_000 + i)}`
        pending.set(phone, { at: performance.now(), editor: editor.deskId, clinic: ci, seenBy: new Set() })
        const key = `${doc}/${client}`
        byClient.set(key, [...(byClient.get(key) ?? []).filter(x => pending.has(x)), phone])
        editor.edit(doc, client, phone)
      }
      const sentIn = performance.now() - t0
      await eventually("every edit seen by every other desk of its clinic", () => pending.size === 0, 60_000, { pollMs: 50 }).catch(() => undefined)
      const cpu1 = sampler.sample()?.cpu ?? 0
      const one = latencies(seen)
      const every = latencies(allSeen)
      progress(`desk → desk p50 ${ms(one.p50)}, p99 ${ms(one.p99)}; relay peak RSS ${mb(relay.peakRss())}`)
      const pairs = `${seen.length} (edit, other desk) pairs of ${EDITS} edits over ${CLINICS} clinics, sent in ${ms(sentIn)}`
      rows.push({ metric: "desk → desk p50", value: ms(one.p50), target: "", note: pairs })
      rows.push({ metric: "desk → desk p99", value: ms(one.p99), target: "< 150 ms", note: `max ${ms(one.max)}` })
      rows.push({ metric: `desk → all ${DESKS - 1} other desks p50 / p99`, value: `${ms(every.p50)} / ${ms(every.p99)}`, target: "", note: `${every.n} edits seen by every other desk; ${pending.size} not within 60 s of the last` })
      rows.push({ metric: "relay peak RSS", value: mb(relay.peakRss()), target: "< 3 GB", note: "VmHWM: snapshot builds, enrolment, sync and edits" })
      rows.push({ metric: "relay CPU during the edits", value: `${(cpu1 - cpu0).toFixed(1)} s`, target: "", note: `user + system over ${ms(performance.now() - t0)} of wall time` })
      rows.push({ metric: "relay CPU in all", value: `${cpu1.toFixed(1)} s`, target: "", note: "since its start (snapshot builds included)" })
    } finally {
      for (const d of desks) await d.close().catch(() => undefined)
      await relay?.stop()
      await pg.dispose().catch(() => undefined)
      rmSync(work, { recursive: true, force: true })
    }
    return rows
  },
}
