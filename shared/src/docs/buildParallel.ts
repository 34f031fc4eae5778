import { Worker } from "node:worker_threads"
import {
  buildDocBinary,
  buildRootBinary,
  planClinicDocs,
  planWeight,
  type ClinicRecords,
  type DocPlan,
} from "./build.js"
import type { BuildReply, BuildRequest } from "./buildWorker.js"
import type { DocKey } from "./layout.js"

/**
 * Shares plans out between `bins` threads, heaviest first onto the lightest (LPT). Each bin keeps
 * the plans' own order.
 */
export const sharePlans = (plans: readonly DocPlan[], bins: number): DocPlan[][] => {
  const load = Array.from({ length: bins }, () => 0)
  const of = new Map<DocPlan, number>()
  for (const p of [...plans].sort((a, b) => planWeight(b) - planWeight(a))) {
    const i = load.indexOf(Math.min(...load))
    of.set(p, i)
    load[i] = (load[i] ?? 0) + planWeight(p)
  }
  return Array.from({ length: bins }, (_, i) => plans.filter(p => of.get(p) === i))
}

/**
 * The worker thread running buildWorker. Built JavaScript (npm run build) runs buildWorker.js
 * itself; from the TypeScript sources (tsx, vitest) buildWorker.boot.mjs first registers tsx's
 * loader, as cli/vetsync.mjs does.
 */
const startWorker = (): Worker => {
  const self = import.meta.url
  return new Worker(new URL(self.endsWith(".ts") ? "./buildWorker.boot.mjs" : "./buildWorker.js", self))
}

const buildInWorker = (req: BuildRequest): Promise<Map<string, Uint8Array>> =>
  new Promise((resolve, reject) => {
    const worker = startWorker()
    let settled = false
    worker.once("message", (reply: BuildReply) => {
      settled = true
      if (reply.ok) resolve(new Map(reply.docs))
      else reject(new Error(`building documents in a worker thread failed: ${reply.error}`))
    })
    worker.once("error", e => {
      settled = true
      reject(e)
    })
    worker.once("exit", code => {
      if (!settled) reject(new Error(`the import's worker thread exited (${code}) without its documents`))
    })
    worker.postMessage(req)
  })

export interface ParallelOptions {
  /** threads building documents, this one included (default 2: this machine's cores) */
  threads?: number
}

/**
 * buildClinicBinaries on several threads: the same documents, ids and contents, in the same
 * order; this thread builds one share while worker threads build the others. At seed scale
 * building the documents is the import's work (putting about 2.5 million operations into wasm),
 * and it splits by document.
 */
export const buildClinicBinariesParallel = async (
  clinicId: string,
  records: ClinicRecords,
  actor: string,
  opts: ParallelOptions = {},
): Promise<Map<DocKey, Uint8Array>> => {
  const plans = planClinicDocs(records)
  const threads = Math.max(1, Math.min(opts.threads ?? 2, plans.length))
  const [mine = [], ...theirs] = sharePlans(plans, threads)
  const workers = theirs.map(share => buildInWorker({ clinicId, actor, plans: share }))
  // this thread builds synchronously meanwhile: a worker's failure is handled by Promise.all below
  const built = new Map<string, Uint8Array>()
  for (const p of mine) built.set(p.key, buildDocBinary(clinicId, p, actor))
  for (const docs of await Promise.all(workers)) for (const [k, b] of docs) built.set(k, b)
  const out = new Map<DocKey, Uint8Array>()
  for (const p of plans) {
    const bytes = built.get(p.key)
    if (!bytes) throw new Error(`the import built no ${p.key}`)
    out.set(p.key, bytes)
  }
  out.set("root", buildRootBinary(clinicId, out.keys(), actor))
  return out
}
