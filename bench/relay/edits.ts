// The relay in its own process for the relay benchmark, restarted on the data directory whose
// snapshot the first run kept. A desk in a process of its own (editingDesk.ts) edits client
// shards; for each edit the benchmark sends this process the document and the heads the edit made,
// and this process says when its snapshot reflects them. The desk stays out of this process, so
// its peak RSS is the relay's alone.
import * as readline from "node:readline"
import { guardProcess } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { benchLeanDocs } from "../benchLeanDocs.js"
import { benchWasmHeadroom } from "../benchWasmHeadroom.js"

guardProcess("relay")
const [dataDir] = process.argv.slice(2) as [string]
const say = (ev: string, more: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...more })}\n`)
}
/** this process's clock in ms since the epoch, to the fraction (the desk's is read the same way) */
const now = (): number => performance.timeOrigin + performance.now()
const same = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && [...a].sort().join() === [...b].sort().join()
const until = (check: () => boolean): Promise<void> =>
  new Promise(resolve => {
    const timer = setInterval(() => {
      if (!check()) return
      clearInterval(timer)
      resolve()
    }, 5)
  })

// VETSYNC_BENCH_MAX_LOADED=n: the relay keeps at most n documents loaded (VETSYNC_MAX_LOADED_DOCS)
const maxLoaded = process.env.VETSYNC_BENCH_MAX_LOADED ? Number(process.env.VETSYNC_BENCH_MAX_LOADED) : undefined
const relay = await RelayServer.start({ dataDir, port: 0, clinics: ["bench"], ...benchWasmHeadroom(), ...benchLeanDocs(), maxLoadedDocs: maxLoaded })
say("listening", { url: relay.syncUrl })
await relay.snapshotCurrent("bench")
say("snapshot-current", { rss: process.memoryUsage().rss })
const loaded = (): number => Object.keys(relay.repo.handles).length
process.once("SIGTERM", () => void relay.close().finally(() => process.exit(0)))
for await (const line of readline.createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { op: string; docId: string; heads: string[] }
  if (cmd.op === "reflect") {
    // the snapshot's heads of the document are polled every 5 ms until they are the edit's
    await until(() => same(relay.snapshotHeads("bench", cmd.docId), cmd.heads))
    say("reflected", { at: now(), loaded: loaded() })
  } else if (cmd.op === "done") say("edits-done", { rss: process.memoryUsage().rss, loaded: loaded() })
}
