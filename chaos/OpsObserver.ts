import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { productEnv, runCommand } from "@vetsync/test-kit"
import type { Cluster } from "./Cluster.js"
import { VETSYNC_CLI } from "./registry.js"

/** How often, during the chaos, the operator's views are taken. */
const EVERY_MS = 60_000

/**
 * What an operator sees during the chaos (issue 14's "Done when"): every minute the relay's
 * `/metrics` scrape and `vetsync desks list --clinic ID` (the node registry, run as the admin runs
 * it), saved under `<run dir>/ops/`. Never fails the run: a view that cannot be taken is a note.
 */
export class OpsObserver {
  readonly #cluster: Cluster
  readonly #dir: string
  readonly notes: string[] = []
  /** the files written, in order */
  readonly files: string[] = []

  constructor(cluster: Cluster, runDir: string) {
    this.#cluster = cluster
    this.#dir = join(runDir, "ops")
    mkdirSync(this.#dir, { recursive: true })
  }

  async run(stopped: () => boolean): Promise<void> {
    let n = 0
    let next = Date.now() + EVERY_MS
    while (!stopped()) {
      await new Promise(ok => setTimeout(ok, 500))
      if (Date.now() < next) continue
      next = Date.now() + EVERY_MS
      await this.take(`${String(++n).padStart(2, "0")}`)
    }
  }

  /** One scrape and one registry listing, named by `tag`. */
  async take(tag: string): Promise<void> {
    const c = this.#cluster
    try {
      const res = await fetch(`http://127.0.0.1:${c.relayPort}/metrics`)
      this.#write(`${tag}-relay-metrics.txt`, `HTTP ${res.status}\n${await res.text()}`)
    } catch (e) {
      this.notes.push(`ops ${tag}: /metrics failed: ${(e as Error).message}`)
    }
    try {
      const list = await runCommand(process.execPath, [VETSYNC_CLI, "desks", "list", "--clinic", c.clinicId], {
        env: productEnv({ DATABASE_URL: c.databaseUrl }),
        ms: 60_000,
      })
      if (list.code === 0) this.#write(`${tag}-desks-list.txt`, list.stdout)
      else this.notes.push(`ops ${tag}: vetsync desks list exited ${list.code}: ${list.stderr.slice(0, 300)}`)
    } catch (e) {
      this.notes.push(`ops ${tag}: vetsync desks list did not start: ${(e as Error).message}`)
    }
  }

  #write(name: string, text: string): void {
    const file = join(this.#dir, name)
    writeFileSync(file, text)
    this.files.push(file)
  }
}
