// The relay in its own process for the desk benchmark, building read-model images as `vetsync server` does.
import { guardProcess } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { READ_MODEL_VERSION, ReadModelImageBuilder } from "@vetsync/client/read-model-image"

guardProcess("relay")
const [dataDir] = process.argv.slice(2) as [string]
const builds = new ReadModelImageBuilder()
// VETSYNC_BENCH_NO_IMAGE=1: a relay without images (new desks take the snapshot), to compare
const images = process.env.VETSYNC_BENCH_NO_IMAGE === "1" ? undefined : { build: builds.build, close: () => builds.close() }
const relay = await RelayServer.start({ dataDir, port: 0, clinics: ["bench"], keepAliveMs: 30_000, readModelImages: images })
process.stdout.write(`${JSON.stringify({ ev: "listening", url: relay.syncUrl, t: Date.now() })}\n`)
await relay.snapshotCurrent("bench")
process.stdout.write(`${JSON.stringify({ ev: "snapshot-current", t: Date.now() })}\n`)
// the image a new desk takes: built now (or kept from before, when recent), before any desk comes
const image = await relay.readModelImage("bench", READ_MODEL_VERSION)
process.stdout.write(`${JSON.stringify({ ev: "image-ready", t: Date.now(), built: image !== undefined, builtAt: image?.builtAt ?? 0, peakRssBytes: image?.peakRssBytes ?? 0 })}\n`)
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
