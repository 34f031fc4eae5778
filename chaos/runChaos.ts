import { mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { PriceItem } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { gatherEvidence, runProblems } from "./checks.js"
import { Cluster } from "./Cluster.js"
import { FaultRunner } from "./faults/FaultRunner.js"
import { FaultSchedule } from "./faults/FaultSchedule.js"
import { LanWatch } from "./LanWatch.js"
import { Ledger } from "./Ledger.js"
import { OpsObserver } from "./OpsObserver.js"
import { lanPeerProblems } from "./oracle/lanPeers.js"
import { compare, wantedOf, type Problem } from "./oracle/Oracle.js"
import { addReadModelIds, deskState, pgState, type DeskState, type PgState } from "./oracle/snapshot.js"
import { formatReport, type RunFigures } from "./report.js"
import { DeskHolds } from "./workload/DeskHolds.js"
import { Receptionist } from "./workload/Receptionist.js"
import { Workload } from "./workload/Workload.js"

export interface ChaosOptions {
  seed: number
  /** the chaos phase (workload and faults), in minutes */
  minutes: number
  /** each desk does at least this many ops before the chaos ends (if it can within 3 × minutes) */
  minSteps?: number
  /** false: the workload alone, no fault (a control run) */
  faults?: boolean
  desks?: number
  /** false: no LAN sync between the desks (as before issue 15): no LAN links, no LAN partitions */
  lan?: boolean
  /** default: a new directory under the system's temp directory */
  runDir?: string
  /** an existing PostgreSQL (the run uses its own clinic and desk ids there) */
  databaseUrl?: string
  /** bound on reaching quiet after everything is healed; default 120 s, or 300 s for runs of 5 minutes and more */
  quietMs?: number
  log?: (line: string) => void
  /** called once quiet, before the final check: lets a test spoil the end state or the ledger */
  tamper?: (ctx: { cluster: Cluster; ledger: Ledger }) => Promise<void>
}

export interface ChaosResult {
  seed: number
  passed: boolean
  problems: Problem[]
  report: string
  runDir: string
  figures: RunFigures
  ledger: Ledger
}

interface Snapshot {
  desks: DeskState[]
  pg: PgState
  problems: Problem[]
}

/** Reads every desk and PostgreSQL and compares them with the ledger; each desk's LAN peers with its open links. */
const snapshot = async (cluster: Cluster, ledger: Ledger): Promise<Snapshot> => {
  const pg = await pgState(cluster.pool, cluster.clinicId)
  const wanted = wantedOf(ledger, pg)
  for (const d of cluster.desks) addReadModelIds(d.dataDir, wanted)
  const desks: DeskState[] = []
  for (const d of cluster.desks) desks.push(await deskState(d, wanted, (command, a) => ledger.answer(d.name, `(oracle) ${command}`, "oracle", a)))
  const open = new Map(cluster.desks.map(d => [d.name, cluster.lan?.reachable(d.index) ?? 0]))
  const lanPeers = lanPeerProblems(desks.map(d => ({ name: d.name, lanPeers: d.status?.lanPeers })), open)
  return { desks, pg, problems: [...compare(ledger, desks, pg), ...lanPeers] }
}

/** Every desk online, 0 waiting (cheap; the full comparison only after this). */
const allOnline = async (cluster: Cluster): Promise<boolean> => {
  for (const d of cluster.desks) {
    const a = await d.client.call("status", undefined)
    if (a.kind !== "ok" || a.value.state !== "online" || a.value.waitingRecords !== 0) return false
  }
  return true
}

/**
 * The seeded whole-system chaos run (issue #9): relay, bridge and desks as separate processes
 * on a real PostgreSQL, a seeded workload on every desk's API and a seeded fault lane; then
 * everything healed, a bounded wait for quiet, and the oracle's verdict with a report.
 */
export const runChaos = async (o: ChaosOptions): Promise<ChaosResult> => {
  const seed = o.seed
  const faults = o.faults ?? true
  const lan = o.lan ?? true
  const runDir = o.runDir ?? join(tmpdir(), `vetsync-chaos-${seed}-${Date.now().toString(36)}`)
  mkdirSync(runDir, { recursive: true })
  const t0 = Date.now()
  const log = (line: string): void => (o.log ?? console.log)(`[chaos seed ${seed} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`)
  log(`seed ${seed}: ${o.minutes} min of chaos${faults ? "" : " WITHOUT faults"}, run directory ${runDir}`)
  const ledger = new Ledger(join(runDir, "ops.jsonl"))
  const problems: Problem[] = []
  const figures: RunFigures = {
    seed, minutes: o.minutes, minSteps: o.minSteps ?? 0, faults, runDir, setupMs: 0, chaosMs: 0, quietMs: null,
    quietBoundMs: o.quietMs ?? (o.minutes >= 5 ? 300_000 : 120_000), faultCounts: new Map(), steps: [], unresolved: 0, notes: [],
    lan, lanPartitions: [], lanPeers: [], replacements: [],
  }
  const tag = Date.now().toString(36)
  let cluster: Cluster | undefined
  try {
    cluster = await Cluster.start({
      runDir,
      desks: o.desks ?? 3,
      lan,
      ...(o.databaseUrl
        ? { databaseUrl: o.databaseUrl, clinicId: `chaos-${tag}`, deskPrefix: `chaos-${tag}-desk-` }
        : { clinicId: "chaos", deskPrefix: "desk-" }),
      log,
    })
    const c = cluster
    const items = await eventually("every desk to be online with the price list", async () => {
      let prices: PriceItem[] = []
      for (const d of c.desks) {
        const st = await d.client.call("status", undefined)
        const p = await d.client.call("pricelist.search", { query: "", limit: 50 })
        if (st.kind !== "ok" || !st.value.online || p.kind !== "ok" || p.value.length < 4) return false
        prices = p.value
      }
      return [...prices].sort((a, b) => a.code.localeCompare(b.code)).map(p => p.id)
    }, 120_000, { pollMs: 250 })
    figures.setupMs = Date.now() - t0
    log(`setup done in ${(figures.setupMs / 1000).toFixed(1)} s; chaos starts`)

    const stopAt = Date.now() + o.minutes * 60_000
    // on a machine too busy to do minSteps per desk in time, the chaos goes on (up to three times as long)
    const hardStopAt = stopAt + o.minutes * 120_000
    const minSteps = o.minSteps ?? 0
    const stopped = (): boolean => Date.now() >= stopAt && (progress.every(n => n >= minSteps) || Date.now() >= hardStopAt)
    const workload = new Workload({ seed, desks: c.desks.length, baseDate: new Date().toISOString().slice(0, 10), items: items.length })
    const progress = c.desks.map(() => 0)
    const holds = new DeskHolds()
    const staff = c.desks.map(desk => new Receptionist({ desk, ledger, workload, items, seed, clinicId: c.clinicId, progress, stopped, holds }))
    const runner = new FaultRunner({ cluster: c, ledger, schedule: new FaultSchedule({ seed, desks: c.desks.length, long: o.minutes >= 5, lan }), seed, journalFile: join(runDir, "faults.jsonl"), log, holds })
    const ops = new OpsObserver(c, runDir)
    const lanWatch = lan ? new LanWatch(c, join(runDir, "lan.jsonl")) : undefined
    const lanes = [...staff.map(r => r.run()), ...(faults ? [runner.run(stopped)] : []), ops.run(stopped), ...(lanWatch ? [lanWatch.run(() => stopped() && (!faults || runner.finished))] : [])]
    const outcomes = await Promise.allSettled(lanes)
    for (const x of outcomes) if (x.status === "rejected") problems.push({ kind: "harness", detail: `a lane failed: ${(x.reason as Error)?.message ?? String(x.reason)}` })
    figures.chaosMs = Date.now() - t0 - figures.setupMs
    figures.steps = staff.map(r => r.steps)
    figures.unresolved = staff.reduce((n, r) => n + r.unresolved, 0)
    figures.faultCounts = runner.counts
    figures.notes.push(...runner.notes)
    figures.lanPartitions = runner.partitions
    figures.replacements = runner.replacements
    // the operator's view as the chaos ends, before anything is healed (desks may be cut off)
    await ops.take("end")
    figures.notes.push(...ops.notes, `operator's views (relay /metrics, vetsync desks list): ${ops.files.length} files in ${join(runDir, "ops")}`)
    log(`chaos over after ${(figures.chaosMs / 1000).toFixed(1)} s: ${figures.steps.join("+")} steps; healing everything`)

    await c.healAll()
    const healedAt = Date.now()
    let last: Snapshot | undefined
    try {
      last = await eventually("every desk online with 0 waiting and every record the same everywhere", async () => {
        if (!(await allOnline(c))) return false
        last = await snapshot(c, ledger)
        return last.problems.length === 0 ? last : false
      }, figures.quietBoundMs, { pollMs: 2000, describe: () => `${last?.problems.length ?? "?"} problems, first: ${last?.problems[0]?.detail ?? "(desks not online)"}` })
      figures.quietMs = Date.now() - healedAt
      log(`quiet after ${(figures.quietMs / 1000).toFixed(1)} s`)
    } catch (e) {
      log(`not quiet: ${(e as Error).message.slice(0, 500)}`)
    }
    await lanWatch?.take()
    figures.lanPeers = lanWatch?.lines() ?? []
    await o.tamper?.({ cluster, ledger })
    const final = await snapshot(cluster, ledger)
    problems.push(...final.problems, ...runProblems(cluster, ledger, final.pg))
  } catch (e) {
    problems.push({ kind: "harness", detail: `the run failed: ${(e as Error)?.stack ?? String(e)}` })
  } finally {
    await cluster?.close().catch(e => problems.push({ kind: "harness", detail: `closing failed: ${String(e)}` }))
  }
  const report = formatReport(figures, ledger, problems, problems.length && cluster ? gatherEvidence(cluster, ledger, problems) : [])
  writeFileSync(join(runDir, "report.txt"), `${report}\n`)
  writeFileSync(join(runDir, "problems.json"), JSON.stringify(problems, null, 1))
  return { seed, passed: problems.length === 0, problems, report, runDir, figures, ledger }
}
