// Light desks in a child process of the clinics benchmark, so that the desks do not share one
// event loop with each other and with the benchmark's own bookkeeping (a busy benchmark process
// adds its own delay to every latency it measures). JSON lines on stdin, events on stdout:
//   {"cmd":"desk","deskId","syncUrl","credential"}  a LightDesk
//   {"cmd":"open","deskId","ids":[...]}             → {"ev":"opened","deskId","clients":{docId:[client ids]}}
//   {"cmd":"edit","deskId","doc","client","phone"}  → {"ev":"edited","phone","at"}
//   {"cmd":"measure"} / {"cmd":"report"}            → {"ev":"loop", ...LoopSummary, "cpu": CPU seconds since measure}
// and {"ev":"phone","deskId","doc","client","phone","at"} whenever a desk sees a phone change;
// "at" is performance.timeOrigin + performance.now() (ms), comparable across processes on one machine.
import type { DocumentId } from "@automerge/automerge-repo"
import { WasmHeadroom, guardProcess } from "@vetsync/shared"
import { benchWasmHeadroomOn } from "../benchWasmHeadroom.js"
import { LightDesk } from "./LightDesk.js"
import { LoopStalls } from "./LoopStalls.js"

guardProcess("desk host")
// fifty desks' shards in one process, which no clinic's desk shares: its wasm memory growing in small
// steps cost full collections of all their heaps (as on the relay), stalls a real desk does not have
// (VETSYNC_BENCH_WASM_HEADROOM=0 leaves them in)
if (benchWasmHeadroomOn()) new WasmHeadroom().start()
const now = (): number => performance.timeOrigin + performance.now()
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
const desks = new Map<string, LightDesk>()
const loop = new LoopStalls(100, 20)
let cpu0 = process.cpuUsage()

const deskOf = (id: unknown): LightDesk => {
  const d = desks.get(String(id))
  if (!d) throw new Error(`no desk ${String(id)} here`)
  return d
}

const handle = async (m: Record<string, unknown>): Promise<void> => {
  switch (m.cmd) {
    case "desk": {
      const d = new LightDesk(String(m.syncUrl), String(m.deskId), String(m.credential), process.env.VETSYNC_BENCH_LEAN_DESKS !== "0")
      desks.set(d.deskId, d)
      d.onPhone((doc, client, phone) => say("phone", { deskId: d.deskId, doc, client, phone, at: now() }))
      return
    }
    case "open": {
      const d = deskOf(m.deskId)
      const ids = (m.ids as string[]).map(id => id as DocumentId)
      await d.open(ids)
      say("opened", { deskId: d.deskId, clients: Object.fromEntries(ids.map(id => [id, d.clientIds(id, 50)])) })
      return
    }
    case "edit": {
      const at = now()
      deskOf(m.deskId).edit(String(m.doc) as DocumentId, String(m.client), String(m.phone))
      say("edited", { phone: m.phone, at })
      return
    }
    case "measure":
      loop.reset()
      cpu0 = process.cpuUsage()
      return
    case "report": {
      const c = process.cpuUsage(cpu0)
      say("loop", { ...loop.summary(), cpu: (c.user + c.system) / 1e6 })
      return
    }
    case "close":
      loop.stop()
      for (const d of desks.values()) await d.close().catch(() => undefined)
      say("closed")
      process.exit(0)
  }
}

let buf = ""
process.stdin.on("data", (d: Buffer) => {
  buf += d.toString()
  const lines = buf.split("\n")
  buf = lines.pop() ?? ""
  for (const l of lines) {
    if (!l.trim()) continue
    const m = JSON.parse(l) as Record<string, unknown>
    handle(m).catch((e: Error) => say("error", { cmd: m.cmd, deskId: m.deskId, message: e.message }))
  }
})
