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
import { closeEnough, type ImageBuild } from "../src/ReadModelImages.js"
import { RelayServer } from "../src/RelayServer.js"
import { makeTemp, relayHas, rmTemp, stockDesk } from "./support.js"

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
  const start = async (maxAgeMs: number, fail = false, refreshAfterMs?: number) => {
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
      // the records its snapshot holds, as the desk's build reports them
      const { records } = JSON.parse(asked.at(-1)!.snapshot.split("\n")[0]!) as { records: number }
      return Promise.resolve({ version: 6, records, generatedAt: "2026-12-04T00:00:00.000Z" })
    }
    const relay = await RelayServer.start({
      dataDir: `${dir}/relay`,
      clinics: [clinic.clinicId],
      readModelImages: { build, maxAgeMs, ...(refreshAfterMs === undefined ? {} : { refreshAfterMs }) },
    })
    cleanup.push(() => relay.close())
    const url = (clinicId = clinic.clinicId, query = "?version=6"): string =>
      `${relay.url}/clinics/${encodeURIComponent(clinicId)}/read-model${query}`
    /**
     * A desk's edits, synced to the relay: `n` clients added to the first client shard, and one
     * client renamed in every shard.
     */
    const edit = async (n: number, round: string): Promise<void> => {
      const desk = stockDesk(relay, clinic.clinicId, `editor-${round}`, `${dir}/desk-${round}`)
      try {
        for (const key of [...docs.keys()].filter(k => k.startsWith("clients/"))) {
          const handle = await desk.repo.find<ClientShardDoc>(docIdFor(clinic.clinicId, key))
          handle.change(d => {
            const first = Object.keys(d.clients)[0]!
            d.clients[first]!.name = imm(`Правка ${round}`)
            for (let i = 0; i < n; i++) d.clients[`${round}-${i}`] = { ...d.clients[first]!, id: imm(`${round}-${i}`), name: imm(`Новый ${round} ${i}`) }
            n = 0
          })
          await eventually(`the relay to have ${key} as the desk changed it`, () => relayHas(desk.repo, handle, relay), 20_000)
        }
      } finally {
        await desk.close()
      }
    }
    return { relay, clinic, asked, url, dir, edit }
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
    expect(Number(served.headers["x-vetsync-records"])).toBeGreaterThanOrEqual(90)
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

  it("is served while the clinic has few records it lacks, however many were edited; lacking many, it is not (404: the snapshot is current) and is built again", async () => {
    const { relay, clinic, asked, url, edit } = await start(60 * 60_000)
    const built = await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // every client shard edited, and as many clients added as an image may lack (closeEnough, tested
    // below): still served (the desk brings them in from the documents), nothing built
    const records = built!.records
    let most = 0
    while (closeEnough(records, records + most + 1)) most++
    expect(most).toBeGreaterThanOrEqual(100)
    await edit(most, "a")
    await relay.snapshotCurrent(clinic.clinicId)
    const served = await get(url(), clinic.clinicId)
    expect(served.status).toBe(200)
    expect(gunzipSync(served.body).toString()).toBe(`image 1 of ${clinic.clinicId}`)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // one more: 404, and the next build starts at once, young as the image is
    await edit(1, "b")
    await relay.snapshotCurrent(clinic.clinicId)
    expect((await get(url(), clinic.clinicId)).status).toBe(404)
    const rebuilt = await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(2)
    expect(asked.at(-1)!.snapshot).toContain("Новый b 0")
    expect(rebuilt!.records).toBe(records + most + 1)
    const again = await get(url(), clinic.clinicId)
    expect(again.status).toBe(200)
    expect(gunzipSync(again.body).toString()).toBe(`image 2 of ${clinic.clinicId}`)
  })

  it("is built again unasked once the clinic has many records it lacks and it is refreshAfterMs old, not before, and not for a clinic without one", async () => {
    const { relay, clinic, asked, url, edit } = await start(60 * 60_000, false, 0)
    // a clinic no desk asked an image of: growing builds none
    await edit(500, "none")
    await relay.snapshotCurrent(clinic.clinicId)
    expect(asked).toHaveLength(0)
    const built = await relay.readModelImage(clinic.clinicId, 6)
    expect(asked).toHaveLength(1)
    // edited, a few added: the snapshot's updates build nothing
    await edit(10, "a")
    await relay.snapshotCurrent(clinic.clinicId)
    expect(asked).toHaveLength(1)
    // many added: built again with no desk asking, and served as it is
    let most = 0
    while (closeEnough(built!.records, built!.records + 10 + most + 1)) most++
    await edit(most + 1, "b")
    await relay.snapshotCurrent(clinic.clinicId)
    await eventually("the image built again", () => asked.length === 2, 20_000)
    await relay.readModelImage(clinic.clinicId, 6)
    expect(asked.at(-1)!.snapshot).toContain(`Новый b ${most}`)
    const served = await get(url(), clinic.clinicId)
    expect(served.status).toBe(200)
    expect(gunzipSync(served.body).toString()).toBe(`image 2 of ${clinic.clinicId}`)
  })

  it("is not built again unasked while younger than refreshAfterMs (the default, a minute)", async () => {
    const { relay, clinic, asked, edit } = await start(60 * 60_000)
    const built = await relay.readModelImage(clinic.clinicId, 6)
    let many = 1
    while (closeEnough(built!.records, built!.records + many)) many++
    await edit(many, "c")
    await relay.snapshotCurrent(clinic.clinicId)
    await relay.readModelImage(clinic.clinicId, 5)
    expect(asked).toHaveLength(1)
  })
})

describe("closeEnough", () => {
  it("serves an image lacking at most a tenth of the clinic's records, and at least 100, whatever the clinic's size", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), (records, image) => {
        const missing = records - image
        const allowed = Math.max(100, Math.floor(records / 10))
        expect(closeEnough(image, records)).toBe(missing <= allowed)
      }),
    )
    expect(closeEnough(0, 100)).toBe(true)
    expect(closeEnough(0, 101)).toBe(false)
    expect(closeEnough(0, 144_000)).toBe(false)
    expect(closeEnough(130_000, 144_000)).toBe(true)
    expect(closeEnough(129_000, 144_000)).toBe(false)
    // records deleted since: the image has more, and is served
    expect(closeEnough(144_000, 100_000)).toBe(true)
  })
})
