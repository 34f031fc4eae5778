// The relay in its own process for the desk benchmark.
import { guardProcess } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"

guardProcess("relay")
const [dataDir] = process.argv.slice(2) as [string]
const relay = await RelayServer.start({ dataDir, port: 0, clinics: ["bench"], keepAliveMs: 30_000 })
process.stdout.write(`${JSON.stringify({ ev: "listening", url: relay.syncUrl, t: Date.now() })}\n`)
await relay.snapshotCurrent("bench")
process.stdout.write(`${JSON.stringify({ ev: "snapshot-current", t: Date.now() })}\n`)
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
