/**
 * Edit-to-row latency through the relay (not a test, not in `npm run bench`): `npx tsx bench/bridge-latency.ts [edits]`.
 * A desk, the relay and the bridge in one process over loopback WebSockets; each edit is a
 * single field of one client; the latency is from the desk's change to the commit of the
 * projection that wrote its row.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { Bridge } from "@vetsync/bridge"
import { edit, makeClient, put } from "@vetsync/bridge/test-helpers/records.js"
import { EmbeddedPg } from "@vetsync/db"
import { clientShardKey } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"

const EDITS = Number(process.argv[2] ?? 200)
const CLINIC = "latency"
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]

const dir = await mkdtemp(join(tmpdir(), "vetsync-latency-"))
const cluster = await new EmbeddedPg({ dir: join(dir, "pg"), scratch: true }).start()
console.log("pg up")
const relay = await RelayServer.start({ port: 0, dataDir: join(dir, "relay"), clinics: [CLINIC] })
const committed = new Map<string, number>()
const bridge = await Bridge.start({
  dataDir: join(dir, "bridge"),
  databaseUrl: await cluster.createDatabase("latency"),
  network: [new WebSocketClientAdapter(`${relay.syncUrl}?clinic=all&desk=bridge&role=service`)],
  onProjected: (_c, r) => {
    if (r.rows > 0) committed.set(r.docKey, performance.now())
  },
})
console.log("bridge started")
await bridge.addClinic(CLINIC)
console.log("clinic followed")
const desk = new Repo({
  network: [new WebSocketClientAdapter(`${relay.syncUrl}?clinic=${CLINIC}&desk=d1`)],
  peerId: "desk:d1:bench" as PeerId,
})
try {
  const clients = Array.from({ length: 1000 }, () => makeClient("d1"))
  for (const c of clients) await put(desk, CLINIC, "clients", c)
  console.log("desk wrote")
  const first = clients[0]!
  const deadline = Date.now() + 120_000
  while (
    (await bridge.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM clients")).rows[0]?.n !== clients.length
  ) {
    if (Date.now() > deadline) throw new Error("initial sync did not finish")
    await new Promise(r => setTimeout(r, 100))
  }
  const lat: number[] = []
  for (let i = 0; i < EDITS; i++) {
    const c = clients[(i * 37) % clients.length] ?? first
    const key = clientShardKey(c.id)
    committed.delete(key)
    const t0 = performance.now()
    await edit(desk, CLINIC, "clients", c, { phone: `+7 900 ${String(1000000 + i)}` }, "d1")
    const until = Date.now() + 30_000
    while (!committed.has(key)) {
      if (Date.now() > until) throw new Error(`edit ${i} of ${c.id} in ${key} was not projected`)
      await new Promise(r => setTimeout(r, 1))
    }
    lat.push((committed.get(key) ?? t0) - t0)
  }
  console.log(
    `edit-to-row through the relay, ${lat.length} edits: p50 ${pct(lat, 50)?.toFixed(1)} ms, p95 ${pct(lat, 95)?.toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`,
  )
} finally {
  await desk.shutdown().catch(() => {})
  await bridge.stop()
  await relay.close()
  await cluster.dispose()
  await rm(dir, { recursive: true, force: true })
}
