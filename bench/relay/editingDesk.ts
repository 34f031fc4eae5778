// The relay benchmark's desk, in its own process: a light automerge-repo peer on loopback that,
// told to, edits one client of a client shard and says the document, the heads the edit made and
// when it made it (this process's clock in ms since the epoch, to the fraction).
import * as readline from "node:readline"
import type { PeerId } from "@automerge/automerge-repo"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { allShardKeys, docIdFor, guardProcess, imm, type ClientShardDoc } from "@vetsync/shared"

guardProcess("bench desk")
const [syncUrl] = process.argv.slice(2) as [string]
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
const desk = new Repo({
  network: [new WebSocketClientAdapter(`${syncUrl}?clinic=bench&desk=bench-desk&role=desk`)],
  peerId: "desk:bench-desk:1" as PeerId,
  isEphemeral: true,
  sharePolicy: () => Promise.resolve(true),
})
const keys = allShardKeys()
say("ready")
process.once("SIGTERM", () => process.exit(0))
for await (const line of readline.createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { op: string; i: number }
  if (cmd.op !== "edit") continue
  const docId = docIdFor("bench", keys[(cmd.i * 7) % keys.length]!)
  const handle = await desk.find<ClientShardDoc>(docId)
  const client = Object.keys(handle.doc().clients)[0]
  if (client === undefined) {
    say("edited", { i: cmd.i, skipped: true })
    continue
  }
  const at = performance.timeOrigin + performance.now()
  handle.change(d => {
    d.clients[client]!.name = imm(`Бенчмарк ${cmd.i}`)
  })
  say("edited", { i: cmd.i, docId, heads: handle.heads(), at })
}
