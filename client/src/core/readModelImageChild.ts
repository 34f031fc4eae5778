import { createReadStream, createWriteStream, rmSync } from "node:fs"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { createGunzip, createGzip } from "node:zlib"
import { buildReadModelImage } from "./buildReadModelImage.js"
import type { ImageBuildReply, ImageBuildRequest } from "./ReadModelImageBuilder.js"

/**
 * The child process of ReadModelImageBuilder: one build, asked for over its IPC channel, then it
 * exits. The snapshot's gzip is undone as the bulk load reads it; the image is written beside `out`
 * and gzip'd into it.
 */
const run = async ({ clinicId, snapshotGz, out }: ImageBuildRequest): Promise<ImageBuildReply> => {
  const raw = `${out}.sqlite`
  try {
    const gz = Buffer.from(snapshotGz.buffer, snapshotGz.byteOffset, snapshotGz.byteLength)
    const built = await buildReadModelImage(Readable.from([gz]).pipe(createGunzip()), clinicId, raw)
    await pipeline(createReadStream(raw), createGzip({ level: 6 }), createWriteStream(out))
    // what the build cost in memory (the relay's log and the desk benchmark say it)
    return { ok: true, built: { ...built, peakRssBytes: process.resourceUsage().maxRSS * 1024 } }
  } catch (e) {
    return { ok: false, error: (e as Error).message }
  } finally {
    rmSync(raw, { force: true })
  }
}

const send = process.send?.bind(process)
if (!send) throw new Error("readModelImageChild runs as a child process with an IPC channel")
// the relay gone (killed, or it stopped the build): nobody waits for the image
process.once("disconnect", () => process.exit(1))
process.once("message", (req: ImageBuildRequest) => {
  void run(req).then(reply => send(reply, undefined, {}, () => process.exit(0)))
})
