import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import { gzipSync, gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import { SafeFsStorageAdapter, buildClinicDocs, docIdFor, imm, type ClientShardDoc } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import fc from "fast-check"
import { generateClinic } from "@vetsync/test-kit/seed"
import { afterEach, describe, expect, it } from "vitest"
import { documentsBehind, type ImageBuild } from "../src/ReadModelImages.js"
import { RelayServer } from "../src/RelayServer.js"
import { makeTemp, rmTemp } from "./support.js"

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** GET as a desk of `clinic` (development authentication). */
const get = (url: string, clinic: string): Promise<Answer> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "x-vetsync-clinic": clinic, "x-vetsync-desk": "probe" } }, res => {
        const chunks: Buffer[] = []
        res.on("data", c => chunks.push(c as Buffer))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      })
      .on("error", reject)
  })

describe("the relay's read-model images", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  /**
   * A relay on a small clinic whose image builds are a stand-in: the image is the snapshot it was
   * given, marked with the build's number (the desk's real build: client's readModelImage tests).
   */
  const start = async (maxAgeMs: number, fail = false) => {
    const dir = makeTemp("images")
    cleanup.push(() => rmTemp(dir))
    const clinic = generateClinic({ seed: "images", clients: 40, patients: 50, priceItems: 3 })
    const storage = new SafeFsStorageAdapter(`${dir}/relay/docs`, { fsync: false })
    const docs = buildClinicDocs(clinic.clinicId, clinic, "5eed".repeat(8))
    for (const [key, doc] of docs) {
      const bin = A.save(doc)
      await storage.save([docIdFor(clinic.clinicId, key), "snapshot", createHash("sha256").update(bin).digest("hex")], bin)
    }
    const asked: { clinicId: string; snapshot: string }[] = []
    const build: ImageBuild = ({ clinicId, snapshotGz, out }) => {
      asked.push({ clinicId, snapshot: gunzipSync(snapshotGz).toString("utf8") })
      if (fail) return Promise.reject(new Error("the stand-in build fails"))
      fs.writeFileSync(out, gzipSync(`image ${asked.length} of ${clinicId}`))
      return Promise.resolve({ version: 6, records: 90, generatedAt: "2026-12-04T00:00:00.000Z" })
    }
    const relay = await RelayServer.start({
      dataDir: `${dir}/relay`,
      clinics: [clinic.clinicId],
      readModelImages: { build, maxAgeMs },
    })
    cleanup.push(() => relay.close())
    const url = (clinicId = clinic.clinicId, query = "?version=6"): string =>
      `${relay.url}/clinics/${encodeURIComponent(clinicId)}/read-model${query}`
    const keys = [...docs.keys()]
    /** a client renamed in each of `n` client shards, on the relay (as a desk's edit arrives) */
    const edit = async (n: number, round: string): Promise<void> => {
      const shards = keys.filter(k => k.startsWith("clients/")).slice(0, n)
      expect(shards).toHaveLength(n)
      for (const key of shards) {
        const handle = await relay.repo.find<ClientShardDoc>(docIdFor(clinic.clinicId, key))
        handle.change(d => {
          d.clients[Object.keys(d.clients)[0]!]!.name = imm(`Правка ${round}`)
        })
      }
    }
    return { relay, clinic, asked, url, dir, keys, edit }
  }

  it("is built when a desk first asks (404 meanwhile), then served as its gzip file; again after maxAgeMs, the old one served meanwhile", async () => {
    const { relay, clinic, asked, url } = await start(60 * 60_000)
    const first = await get(url(), clinic.clinicId)
    expect(first.status).toBe(404)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // the build was given the clinic's current snapshot
    expect(asked[0]!.snapshot.split("\n")[0]).toContain(`"clinicId":"${clinic.clinicId}"`)
    const served = await get(url(), clinic.clinicId)
    expect(served.status).toBe(200)
    expect(served.headers["content-type"]).toBe("application/gzip")
    expect(served.headers["content-encoding"]).toBeUndefined()
    expect(served.headers["x-vetsync-records"]).toBe("90")
    expect(gunzipSync(served.body).toString()).toBe(`image 1 of ${clinic.clinicId}`)
    // young: served as it is, nothing built
    await get(url(), clinic.clinicId)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
  })

  it("an old image is served while the next is built, and a desk of another version gets 404", async () => {
    const { relay, clinic, asked, url } = await start(0)
    await relay.readModelImage(clinic.clinicId, 6)
    const old = await get(url(), clinic.clinicId)
    expect(old.status).toBe(200)
    await eventually("the image built again", () => asked.length >= 2, 10_000)
    await relay.readModelImage(clinic.clinicId, 6)
    const next = await get(url(), clinic.clinicId)
    expect(gunzipSync(next.body).toString()).toMatch(/^image [2-9]/)
    expect((await get(url(clinic.clinicId, "?version=7"), clinic.clinicId)).status).toBe(404)
  })

  it("a desk older than the image gets 404 and starts no build; a newer one starts one (the relay may have been upgraded)", async () => {
    const { relay, clinic, asked, url } = await start(60 * 60_000)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    expect((await get(url(clinic.clinicId, "?version=5"), clinic.clinicId)).status).toBe(404)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    expect((await get(url(clinic.clinicId, "?version=7"), clinic.clinicId)).status).toBe(404)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(2)
  })

  it("refuses another clinic's desk and a request without a version; a failed build serves nothing and is tried again", async () => {
    const { relay, clinic, asked, url, dir } = await start(60 * 60_000, true)
    expect((await get(url(), "someone-else")).status).toBe(403)
    expect((await get(url(clinic.clinicId, ""), clinic.clinicId)).status).toBe(400)
    expect((await get(url(clinic.clinicId, "?version=x"), clinic.clinicId)).status).toBe(400)
    expect(asked).toHaveLength(0)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // asked again: tried again
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(2)
    expect((await get(url(), clinic.clinicId)).status).toBe(404)
    expect(fs.readdirSync(`${dir}/relay/read-model-images`)).toEqual([])
  })

  it("is served while few documents changed since its snapshot; far behind, it is not (404: the snapshot is current) and is built again", async () => {
    const { relay, clinic, asked, url, keys, edit } = await start(60 * 60_000)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // a desk's edits to a few documents: the image is still served, and nothing is built
    const few = Math.max(4, Math.floor(keys.length / 10))
    await edit(Math.min(few, keys.filter(k => k.startsWith("clients/")).length), "a")
    const served = await get(url(), clinic.clinicId)
    expect(served.status).toBe(200)
    expect(gunzipSync(served.body).toString()).toBe(`image 1 of ${clinic.clinicId}`)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // more than that: 404, and the next build starts at once, young as the image is
    await edit(few + 1, "b")
    // (a build takes the snapshot as it is: once it holds the edits, the image built holds them too)
    await relay.snapshotCurrent(clinic.clinicId)
    expect((await get(url(), clinic.clinicId)).status).toBe(404)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked.length).toBeGreaterThanOrEqual(2)
    expect(asked.at(-1)!.snapshot).toContain("Правка b")
    const again = await get(url(), clinic.clinicId)
    expect(again.status).toBe(200)
    expect(gunzipSync(again.body).toString()).toMatch(/^image [2-9]/)
  })
})

describe("documentsBehind", () => {
  const heads = fc.array(fc.stringMatching(/^[0-9a-f]{8}$/), { minLength: 1, maxLength: 3 })
  it("counts the documents whose heads changed or that are new, whatever the heads' order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,6}\/[0-9]{1,2}$/), heads), fc.array(fc.nat()), fc.array(fc.nat()), (then, changed, added) => {
        const keys = Object.keys(then)
        const now: Record<string, string[]> = {}
        for (const [k, h] of Object.entries(then)) now[k] = [...h].reverse()
        expect(documentsBehind(then, now)).toBe(0)
        const touched = new Set(keys.length ? changed.map(i => keys[i % keys.length]!) : [])
        for (const k of touched) now[k] = [...now[k]!, "ffffffffff"]
        for (const i of added) now[`new/${i}`] = ["00000000"]
        expect(documentsBehind(then, now)).toBe(touched.size + new Set(added).size)
      }),
    )
  })
})
