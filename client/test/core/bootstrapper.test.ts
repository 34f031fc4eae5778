import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { gzipSync } from "node:zlib"
import Database from "better-sqlite3"
import { afterEach, describe, expect, it } from "vitest"
import { docIdFor, snapshotLines, clientShardKey, type DocKey, type SnapshotRecords } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import { Bootstrapper } from "../../src/core/Bootstrapper.js"
import { DocStore } from "../../src/core/DocStore.js"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { READ_MODEL_INDEXES } from "../../src/core/readmodel/schema.js"
import { tmpDir } from "./fixtures.js"

const CLINIC = "boot"
const clinic = generateClinic({ seed: "bootstrapper", clients: 300, patients: 400, priceItems: 20 })
const parts = new Map<DocKey, SnapshotRecords>()
const part = (key: DocKey): SnapshotRecords => {
  let p = parts.get(key)
  if (!p) parts.set(key, (p = { type: "records", key, clients: [], patients: [], appointments: [], invoices: [] }))
  return p
}
for (const c of clinic.clients) part(clientShardKey(c.id)).clients.push(c)
for (const p of clinic.patients) part(clientShardKey(p.clientId)).patients.push(p)
const docs = Object.fromEntries(
  [...parts.keys(), "pricelist" as DocKey].map(k => [k, { docId: docIdFor(CLINIC, k), heads: [] as string[] }]),
)
const LINES = snapshotLines(
  { clinicId: CLINIC, generatedAt: "2026-11-22T00:00:00.000Z", docs },
  [...parts.values()],
  clinic.priceItems,
  [],
)
const ndjson = (n: number): Buffer =>
  gzipSync(
    LINES.slice(0, n)
      .map(l => JSON.stringify(l))
      .join("\n") + "\n",
  )

/** A stand-in relay that serves a snapshot, cut after `cut` lines on the first `cutTimes` requests. */
const serve = async (cut: number, cutTimes: number): Promise<{ url: string; close: () => Promise<void> }> => {
  let served = 0
  const server = http.createServer((req, res) => {
    // a relay without read-model images (the image path: readModelImage*.test.ts)
    if (!/\/snapshot(\?|$)/.test(req.url ?? "")) return void res.writeHead(404).end()
    const body = served++ < cutTimes ? ndjson(cut) : ndjson(LINES.length)
    res.writeHead(200, { "content-type": "application/x-ndjson", "content-encoding": "gzip" }).end(body)
  })
  await new Promise<void>(r => server.listen(0, "127.0.0.1", r))
  const { port } = server.address() as AddressInfo
  return { url: `ws://127.0.0.1:${port}/sync`, close: () => new Promise(r => server.close(() => r())) }
}

describe("Bootstrapper", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })
  const desk = (dir: string): { rm: ReadModel; boot: Bootstrapper } => {
    const rm = ReadModel.open(path.join(dir, "readmodel.sqlite"))
    const store = new DocStore({ docsDir: path.join(dir, "docs"), clinicId: CLINIC, peerId: "desk:test", network: [] })
    cleanup.push(
      () => rm.close(),
      () => store.close(),
    )
    return { rm, boot: new Bootstrapper(rm, store, () => undefined) }
  }

  it("refuses a snapshot cut off before its end line, keeps what arrived, and completes on the next attempt", async () => {
    const relay = await serve(Math.floor(LINES.length / 2), 1)
    cleanup.push(relay.close)
    const dir = tmpDir("boot")
    const { rm, boot } = desk(dir)
    await expect(boot.loadSnapshot(relay.url, CLINIC, {})).rejects.toThrow(/cut off/)
    expect(boot.phase).toBe("none")
    const partial = rm.counts().clients
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(clinic.clients.length)
    expect(rm.ledger.getDocHeads(docIdFor(CLINIC, "clients/0"))).toBeUndefined()
    // the bulk load's dropped indexes are back: the next attempt merges record by record through them
    const db = new Database(path.join(dir, "readmodel.sqlite"), { readonly: true })
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").pluck().all()
    db.close()
    expect([...indexes].sort()).toEqual([...READ_MODEL_INDEXES].sort())

    await boot.loadSnapshot(relay.url, CLINIC, {})
    expect(boot.phase).toBe("documents")
    expect(rm.counts().clients).toBe(clinic.clients.length)
    expect(rm.counts().patients).toBe(clinic.patients.length)
    const someone = clinic.clients[123]!
    expect(rm.clients.search(someone.name).map(h => h.id)).toContain(someone.id)
    expect(boot.progress()).toMatchObject({
      records: clinic.clients.length + clinic.patients.length,
      recordsTotal: clinic.clients.length + clinic.patients.length,
    })
    expect(rm.priceList.search("").length).toBeGreaterThan(0)
  })

  it("a desk stopped while the snapshot streamed in takes it again at the next start", async () => {
    const dir = tmpDir("boot-restart")
    const first = desk(dir)
    first.rm.ledger.setBootstrapPhase("snapshot")
    first.rm.close()
    cleanup.shift()
    const again = desk(dir)
    expect(again.boot.phase).toBe("none")
    const relay = await serve(0, 0)
    cleanup.push(relay.close)
    await again.boot.loadSnapshot(relay.url, CLINIC, {})
    expect(again.boot.phase).toBe("documents")
    expect(again.rm.counts().clients).toBe(clinic.clients.length)
  })
})
