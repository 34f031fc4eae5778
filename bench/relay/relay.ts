// The relay in its own process for the relay benchmark: build the clinic's snapshot from a fresh
// data directory, then load every document as desks syncing all of them would, then let them idle.
import type { DocumentId } from "@automerge/automerge-repo"
import { guardProcess } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { benchLeanDocs } from "../benchLeanDocs.js"
import { benchWasmHeadroom } from "../benchWasmHeadroom.js"

guardProcess("relay")
const [dataDir, idleMs] = process.argv.slice(2) as [string, string]
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
const loaded = (relay: RelayServer): number => Object.keys(relay.repo.handles).length
const relay = await RelayServer.start({ dataDir, port: 0, clinics: ["bench"], ...benchWasmHeadroom(), ...benchLeanDocs(), idleUnloadMs: Number(idleMs) })
say("listening", { loaded: loaded(relay) })
await relay.snapshotCurrent("bench")
say("snapshot-current", { loaded: loaded(relay), rss: process.memoryUsage().rss })
const ids = relay.ownership.docsOf("bench").filter(id => relay.storage.hasDocument(id))
// the idle unloader may let the first ones go while the last load: the most held at once is reported
let most = 0
for (const id of ids) {
  await relay.repo.find(id as DocumentId)
  most = Math.max(most, loaded(relay))
}
say("all-loaded", { loaded: loaded(relay), most, docs: ids.length, rss: process.memoryUsage().rss })
const waiting = setInterval(() => {
  if (loaded(relay) > 0) return
  clearInterval(waiting)
  say("unloaded", { loaded: loaded(relay), unloaded: relay.idle?.unloaded ?? 0, rss: process.memoryUsage().rss })
}, 200)
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
