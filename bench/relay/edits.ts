// The relay in its own process for the relay benchmark, restarted on the data directory whose
// snapshot the first run kept: a desk (a light automerge-repo peer over loopback) edits client
// shards one after another, and each edit is timed until the relay's snapshot reflects it.
import type { PeerId } from "@automerge/automerge-repo"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { allShardKeys, docIdFor, guardProcess, imm, type ClientShardDoc } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { benchWasmHeadroom } from "../benchWasmHeadroom.js"

guardProcess("relay")
const [dataDir, count] = process.argv.slice(2) as [string, string]
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
const same = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && [...a].sort().join() === [...b].sort().join()
const until = (check: () => boolean): Promise<void> =>
  new Promise(resolve => {
    const timer = setInterval(() => {
      if (!check()) return
      clearInterval(timer)
      resolve()
    }, 5)
  })

const relay = await RelayServer.start({ dataDir, port: 0, clinics: ["bench"], ...benchWasmHeadroom() })
say("listening")
await relay.snapshotCurrent("bench")
say("snapshot-current", { rss: process.memoryUsage().rss })
const desk = new Repo({
  network: [new WebSocketClientAdapter(`${relay.syncUrl}?clinic=bench&desk=bench-desk&role=desk`)],
  peerId: "desk:bench-desk:1" as PeerId,
  isEphemeral: true,
  sharePolicy: () => Promise.resolve(true),
})
const keys = allShardKeys()
const times: number[] = []
for (let i = 0; i < Number(count); i++) {
  const docId = docIdFor("bench", keys[(i * 7) % keys.length]!)
  const handle = await desk.find<ClientShardDoc>(docId)
  const client = Object.keys(handle.doc().clients)[0]
  if (client === undefined) continue
  const t0 = performance.now()
  handle.change(d => {
    d.clients[client]!.name = imm(`Бенчмарк ${i}`)
  })
  const want = handle.heads()
  await until(() => same(relay.snapshotHeads("bench", docId), want))
  times.push(performance.now() - t0)
  say("edit", { ms: times.at(-1), loaded: Object.keys(relay.repo.handles).length })
}
say("edits-done", { times, rss: process.memoryUsage().rss, loaded: Object.keys(relay.repo.handles).length })
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
