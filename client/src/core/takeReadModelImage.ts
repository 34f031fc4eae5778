import { createWriteStream, rmSync } from "node:fs"
import { pipeline } from "node:stream/promises"
import type { SnapshotHeader } from "@vetsync/shared"
import type { Logger } from "@vetsync/shared/log"
import type { BootstrapTimings } from "./BootstrapTimings.js"
import type { ReadModel } from "./readmodel/ReadModel.js"
import { READ_MODEL_VERSION } from "./readmodel/schema.js"
import type { SnapshotSource } from "./SnapshotSource.js"

export interface TakeImageOptions {
  rm: ReadModel
  source: SnapshotSource
  clinicId: string
  timings: BootstrapTimings
  /** the bootstrap given up (the desk closing): that still throws */
  signal: AbortSignal
  log: Logger
  /**
   * the image is downloaded: the bundle may be asked for now. Asked for with the image, its download
   * took the desk's thread and the relay's from the image's (searchable about 0.3 s later at seed scale)
   */
  answered: () => void
}

/**
 * A new desk's read model from the source's read-model image (the relay's; readmodel/readModelImage.ts),
 * taken whole into a read model with no records: downloaded beside the read model's file, attached
 * and copied in one transaction, then removed. Returns the snapshot header the image reflects, or
 * undefined when the source has none, the read model has records (synced while it downloaded), or the
 * image was refused or cut off: said, and the desk takes the snapshot as before.
 */
export const takeReadModelImage = async (o: TakeImageOptions): Promise<SnapshotHeader | undefined> => {
  const empty = (): boolean => {
    const c = o.rm.counts()
    return c.clients + c.patients + c.appointments + c.invoices === 0
  }
  if (!o.source.image || !empty()) return undefined
  const file = `${o.rm.file}.image`
  try {
    const input = await o.source.image(READ_MODEL_VERSION, o.signal)
    if (!input) return undefined
    o.timings.mark("answeredAt")
    const t = performance.now()
    await pipeline(input, createWriteStream(file), { signal: o.signal })
    o.timings.add("streamMs", performance.now() - t)
    o.answered()
    // the copy's pages stay in the WAL until the bootstrap resumes checkpoints (Bootstrapper)
    o.rm.pauseCheckpoints()
    return o.timings.time("imageMs", () => o.rm.adoptImage(file, o.clinicId))
  } catch (e) {
    o.rm.resumeCheckpoints()
    if (o.signal.aborted) throw e
    o.log.warn(`the read-model image from ${o.source.name} was not taken (${(e as Error).message}): taking the snapshot`)
    return undefined
  } finally {
    rmSync(file, { force: true })
  }
}
