import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import { gzipSync, gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import { SafeFsStorageAdapter, buildClinicDocs, docIdFor } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { generateClinic } from "@vetsync/test-kit/seed"
import { afterEach, describe, expect, it } from "vitest"
import type { ImageBuild } from "../src/ReadModelImages.js"
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
    for (const [key, doc] of buildClinicDocs(clinic.clinicId, clinic, "5eed".repeat(8))) {
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
    return { relay, clinic, asked, url, dir }
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
})
