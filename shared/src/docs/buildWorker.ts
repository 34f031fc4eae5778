import { parentPort } from "node:worker_threads"
import { buildDocBinary, type DocPlan } from "./build.js"

/** What buildClinicBinariesParallel asks of its worker: these planned documents, built. */
export interface BuildRequest {
  clinicId: string
  actor: string
  plans: DocPlan[]
}

/** The worker's answer: each document's bytes (transferred), or why it could not build them. */
export type BuildReply = { ok: true; docs: [string, Uint8Array][] } | { ok: false; error: string }

/** The worker thread of buildClinicBinariesParallel: builds the plans it is sent, once, and exits. */
const port = parentPort
if (port) {
  port.once("message", (req: BuildRequest) => {
    let reply: BuildReply
    try {
      reply = { ok: true, docs: req.plans.map(p => [p.key, buildDocBinary(req.clinicId, p, req.actor)]) }
    } catch (e) {
      reply = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }
    }
    port.postMessage(reply, reply.ok ? reply.docs.map(([, b]) => b.buffer as ArrayBuffer) : [])
    port.close()
  })
}
