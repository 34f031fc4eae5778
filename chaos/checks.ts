import { join } from "node:path"
import type { Cluster } from "./Cluster.js"
import type { Collection } from "@vetsync/shared"
import { auditDisk, docKeyOf } from "./diskAudit.js"
import { around, mentions, refusals, troubleSummary } from "./evidence.js"
import type { Ledger } from "./Ledger.js"
import type { Problem } from "./oracle/Oracle.js"
import type { PgState } from "./oracle/snapshot.js"

/** The log files of a cluster. */
export const logFiles = (cluster: Cluster): string[] => cluster.processes().map(p => p.opts.logFile)

/** What the run itself shows besides the end state: refusals, crashes, internal and refused answers, rejections. */
export const runProblems = (cluster: Cluster, ledger: Ledger, pgs: PgState | undefined): Problem[] => {
  const out: Problem[] = []
  const refused = refusals(join(cluster.opts.runDir, "relay.log"))
  for (const l of refused.slice(0, 20)) out.push({ kind: "refused", detail: l })
  if (refused.length > 20) out.push({ kind: "refused", detail: `... ${refused.length - 20} more refusals in relay.log` })
  for (const p of cluster.processes())
    for (const e of p.exits.filter(x => !x.expected))
      out.push({ kind: "crashed", detail: `${p.name} (pid ${e.pid}) exited by itself at ${e.at}: code ${e.code} signal ${e.signal}` })
  for (const a of ledger.internals) out.push({ kind: "internal", desk: a.desk, at: a.at, detail: `${a.desk} ${a.op} at ${a.at}: ${a.message}` })
  for (const a of ledger.refusedValid)
    out.push({ kind: "refused-valid", desk: a.desk, at: a.at, detail: `${a.desk} ${a.op} at ${a.at}: ${a.code} ${a.message}` })
  for (const a of ledger.lost)
    out.push({
      kind: "own-not-found",
      key: a.message.split(":")[0],
      desk: a.desk,
      at: a.at,
      detail: `${a.desk} ${a.op} at ${a.at}: this desk had acknowledged the record, yet answered not_found: ${a.message}`,
    })
  for (const [key, why] of pgs?.rejections ?? []) out.push({ kind: "rejected", key, detail: `the bridge rejected ${key}: ${why}` })
  return out
}

/** Log lines that help find the causes: refusals, the records in trouble, trouble lines by shape. */
export const gatherEvidence = (cluster: Cluster, ledger: Ledger, problems: readonly Problem[]): string[] => {
  const files = logFiles(cluster)
  const out: string[] = []
  const refused = refusals(join(cluster.opts.runDir, "relay.log"))
  if (refused.length) out.push(`relay refusals: ${refused.length}; first: ${refused[0]}`, `  last: ${refused.at(-1)}`)
  const keys = [...new Set(problems.filter(p => p.key).map(p => p.key as string))].slice(0, 8)
  for (const key of keys) {
    const id = key.split("/")[1] ?? key
    const lines = mentions(files, id, 3)
    out.push(`${key} in the logs: ${lines.length ? "" : "not mentioned"}`, ...lines.map(l => `  ${l}`))
  }
  // a record a desk does not show: is it in the desk's document on disk (its read model behind) or not?
  for (const p of problems.filter(x => x.kind === "missing" && x.desk && x.key).slice(0, 4)) {
    const [collection, id] = (p.key as string).split("/") as [Collection, string]
    const desk = cluster.desks.find(d => d.name === p.desk)
    const key = docKeyOf(collection, id, f => ledger.createdValue(collection, id, f))
    if (desk && key) out.push(`${p.desk} does not show ${p.key}; ${auditDisk(desk.dataDir, cluster.clinicId, key, collection, id)}`)
  }
  const seen = new Set<string>()
  for (const p of problems) {
    if (!p.desk || !p.at || seen.has(p.kind) || seen.size >= 4) continue
    seen.add(p.kind)
    out.push(`${p.desk}.log around its first ${p.kind} answer (${p.at}, ±3 s):`, ...around(join(cluster.opts.runDir, `${p.desk}.log`), p.at).map(l => `  ${l}`))
  }
  const trouble = troubleSummary(files)
  if (trouble.length) out.push(`trouble lines in the logs, by shape (count × first occurrence):`, ...trouble)
  return out
}
