import { randomBytes } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Readable } from "node:stream"
import { gzipSync } from "node:zlib"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { RelaySnapshotSource } from "../../src/core/SnapshotSource.js"

/** What a test server answers to `read-model`: a status, headers and the body's bytes (sent in pieces). */
interface Answer {
  status: number
  headers: Record<string, string>
  body: Buffer
  /** the connection is cut after this many bytes of the body */
  cutAt?: number
}

const servers: http.Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => new Promise(r => s.close(r))))
})

/** A relay stand-in on 127.0.0.1 answering `read-model` with `answer()`; the source pointed at it. */
const serve = async (answer: () => Answer): Promise<RelaySnapshotSource> => {
  const server = http.createServer((req, res) => {
    const a = answer()
    if (!req.url?.startsWith("/clinics/c1/read-model?version=")) return res.writeHead(400).end()
    res.writeHead(a.status, a.headers)
    const bytes = a.cutAt === undefined ? a.body : a.body.subarray(0, a.cutAt)
    // in pieces, as a socket delivers a file
    for (let i = 0; i < bytes.length; i += 65_536) res.write(bytes.subarray(i, i + 65_536))
    if (a.cutAt === undefined) res.end()
    // once what was sent is on the wire
    else res.write("", () => res.socket?.destroy())
  })
  servers.push(server)
  await new Promise<void>(r => server.listen(0, "127.0.0.1", r))
  const { port } = server.address() as AddressInfo
  return new RelaySnapshotSource(`ws://127.0.0.1:${port}/sync`, "c1", () => ({}))
}

const drain = async (stream: Readable): Promise<Buffer> => {
  const parts: Buffer[] = []
  for await (const part of stream) parts.push(part as Buffer)
  return Buffer.concat(parts)
}

describe("RelaySnapshotSource.image", () => {
  it("gives the image's bytes whole, sent as its gzip file or as content-encoding gzip (a relay before 2026-12-04)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 5_000 }), fc.integer({ min: 0, max: 3 << 20 }).map(n => randomBytes(n))),
        fc.boolean(),
        async (bytes, asFile) => {
          const image = Buffer.from(bytes)
          const headers: Record<string, string> = asFile
            ? { "content-type": "application/gzip" }
            : { "content-type": "application/vnd.sqlite3", "content-encoding": "gzip" }
          const source = await serve(() => ({ status: 200, headers, body: gzipSync(image) }))
          const stream = await source.image(6)
          expect(stream).toBeDefined()
          expect((await drain(stream!)).equals(image)).toBe(true)
        },
      ),
      { numRuns: 12 },
    )
  })

  it("is undefined when the relay has none (404), and throws on another refusal", async () => {
    const none = await serve(() => ({ status: 404, headers: {}, body: Buffer.from('{"error":"no image"}') }))
    expect(await none.image(6)).toBeUndefined()
    const refused = await serve(() => ({ status: 403, headers: {}, body: Buffer.from('{"error":"other clinic"}') }))
    await expect(refused.image(6)).rejects.toThrow(/read-model: HTTP 403/)
  })

  it("fails the stream, never ends it short, when the gzip file is cut off or is not gzip", async () => {
    const image = randomBytes(2 << 20)
    const gz = gzipSync(image)
    const cut = await serve(() => ({
      status: 200,
      headers: { "content-type": "application/gzip" },
      body: gz,
      cutAt: Math.floor(gz.length / 2),
    }))
    await expect(drain((await cut.image(6))!)).rejects.toThrow()
    const notGzip = await serve(() => ({ status: 200, headers: { "content-type": "application/gzip" }, body: image }))
    await expect(drain((await notGzip.image(6))!)).rejects.toThrow()
  })

  it("stops when the desk gives the download up", async () => {
    const source = await serve(() => ({
      status: 200,
      headers: { "content-type": "application/gzip" },
      body: gzipSync(randomBytes(4 << 20)),
    }))
    const abort = new AbortController()
    const stream = (await source.image(6, abort.signal))!
    abort.abort(new Error("the desk closes"))
    await expect(drain(stream)).rejects.toThrow()
  })
})
