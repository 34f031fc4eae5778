import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import { encodeHeads } from "@automerge/automerge-repo"
import {
  SafeFsStorageAdapter,
  buildClinicDocs,
  clientShardKey,
  docIdFor,
  imm,
  readSnapshot,
  type ClientShardDoc,
} from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import { afterEach, describe, expect, it } from "vitest"
import { RelayServer } from "../src/RelayServer.js"
import { makeEntry } from "../src/SnapshotEntry.js"
import { SnapshotFiles } from "../src/SnapshotFiles.js"
import { eventually } from "@vetsync/test-kit"
import { makeTemp, rmTemp } from "./support.js"

const get = (url: string, clinic: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "x-vetsync-clinic": clinic, "x-vetsync-desk": "probe" } }, res => {
        const chunks: Buffer[] = []
        res.on("data", c => chunks.push(c as Buffer))
        res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))))
      })
      .on("error", reject)
  })
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex")

describe("a restarted relay and its kept snapshot", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it("serves the kept snapshot and heads without loading documents, and rebuilds once stored documents changed", async () => {
    const dir = makeTemp("keptsnap")
    cleanup.push(() => rmTemp(dir))
    const clinic = generateClinic({ seed: "keptsnap", clients: 200, patients: 260, priceItems: 10 })
    const storage = new SafeFsStorageAdapter(`${dir}/relay/docs`, { fsync: false })
    const docs = buildClinicDocs(clinic.clinicId, clinic, "5eed".repeat(8))
    for (const [key, doc] of docs) {
      const bin = A.save(doc)
      await storage.save([docIdFor(clinic.clinicId, key), "snapshot", sha(bin)], bin)
    }
    const start = async (): Promise<RelayServer> => {
      const relay = await RelayServer.start({ dataDir: `${dir}/relay`, clinics: [clinic.clinicId] })
      cleanup.push(() => relay.close())
      return relay
    }
    const snapshotOf = async (relay: RelayServer) =>
      readSnapshot(gunzipSync(await get(`${relay.url}/clinics/${clinic.clinicId}/snapshot`, clinic.clinicId)).toString())
    const headsOf = async (relay: RelayServer) =>
      JSON.parse((await get(`${relay.url}/clinics/${clinic.clinicId}/heads`, clinic.clinicId)).toString()) as Record<string, string[]>
    const kept = path.join(dir, "relay", "snapshots", clinic.clinicId, "manifest.json")

    const first = await start()
    const built = await snapshotOf(first)
    expect(built.records.clients).toHaveLength(200)
    await eventually("the relay to keep its built snapshot on disk", () => fs.existsSync(kept), 30_000)
    await first.close()

    // unchanged documents: the kept snapshot is current; neither it nor /heads loads a shard
    const second = await start()
    const shardIds = [...docs.keys()].filter(k => k.startsWith("clients/")).map(k => docIdFor(clinic.clinicId, k))
    expect((await snapshotOf(second)).records.clients).toEqual(built.records.clients)
    const heads = await headsOf(second)
    const target = clinic.clients[7]!
    const key = clientShardKey(target.id)
    expect(heads[key]).toEqual(built.docs[key]?.heads)
    expect(shardIds.filter(id => second.repo.handles[id] !== undefined)).toEqual([])
    await second.close()

    // a stored document changes while the relay is down: the kept snapshot is served as stale and rebuilt
    const id = docIdFor(clinic.clinicId, key)
    const before = A.load<ClientShardDoc>(A.save(docs.get(key)!))
    const after = A.change(before, d => {
      d.clients[target.id]!.name = imm("Изменённая Клиентка")
    })
    const inc = A.saveSince(after, A.getHeads(before))
    await storage.save([id, "incremental", sha(inc)], inc)
    const third = await start()
    await eventually(
      "the restarted relay's snapshot to show the client renamed on disk",
      async () => (await snapshotOf(third)).records.clients.some(c => c.id === target.id && c.name === "Изменённая Клиентка"),
      60_000,
    )
    expect((await headsOf(third))[key]).toEqual([...encodeHeads(A.getHeads(after))])
    // the rebuild read the stored documents one by one, without loading them into the Repo
    expect(shardIds.filter(id => third.repo.handles[id] !== undefined)).toEqual([])
  })

  it("ignores a kept snapshot whose entry files do not match the manifest", async () => {
    const dir = makeTemp("keptfiles")
    cleanup.push(() => rmTemp(dir))
    const files = new SnapshotFiles(dir)
    const docs = buildClinicDocs("c1", generateClinic({ seed: "kf", clients: 3, patients: 3, priceItems: 1 }), "5eed".repeat(8))
    const [key, doc] = [...docs].find(([k]) => k.startsWith("clients/"))!
    const entry = await makeEntry(key, docIdFor("c1", key), doc, ["h"], ["chunk"])
    await files.write("c1", { generatedAt: "2026-12-01T00:00:00Z", entries: new Map([[key, entry!]]) })
    expect((await files.read("c1"))?.entries.get(key)?.heads).toEqual(["h"])
    const [file] = fs.readdirSync(path.join(dir, "c1")).filter(f => f.endsWith(".entry"))
    fs.writeFileSync(path.join(dir, "c1", file!), "torn")
    expect(await files.read("c1")).toBeUndefined()
    expect(await files.read("unknown")).toBeUndefined()
  })
})
