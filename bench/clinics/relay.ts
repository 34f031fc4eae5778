// The relay in its own process for the clinics benchmark: authenticates against the registry in
// PostgreSQL like `vetsync server` with DATABASE_URL, and says when every clinic's snapshot is current.
import { guardProcess } from "@vetsync/shared"
import { PgAuthenticator, RelayServer } from "@vetsync/sync-server"

guardProcess("relay")
const [dataDir, databaseUrl, clinicList] = process.argv.slice(2) as [string, string, string]
const clinics = clinicList.split(",")
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
const authenticator = await PgAuthenticator.start({ databaseUrl })
const relay = await RelayServer.start({ dataDir, port: 0, clinics, authenticator, keepAliveMs: 30_000, log: () => undefined })
say("listening", { url: relay.syncUrl, http: relay.url })
for (const [i, clinic] of clinics.entries()) {
  await relay.snapshotCurrent(clinic)
  say("snapshot-current", { clinic, done: i + 1 })
}
say("snapshots-current", { rss: process.memoryUsage().rss, loaded: Object.keys(relay.repo.handles).length })
setInterval(() => say("loaded", { loaded: Object.keys(relay.repo.handles).length, rss: process.memoryUsage().rss }), 5000).unref()
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
