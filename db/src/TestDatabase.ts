import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { EmbeddedPg } from "./EmbeddedPg.js"
import { migrate } from "./migrate.js"

export interface TestDatabaseOptions {
  /** run the migrations (default true); false: an empty database, for tests of the migrations */
  migrate?: boolean
  /** the scratch directory's name starts vetsync-<prefix>- (default "db") */
  prefix?: string
  /** a fixed port, so a cluster stopped and started again is where pools look for it (default: a free one) */
  port?: number
}

/**
 * A scratch directory, an embedded PostgreSQL cluster in <dir>/pg (fast: no fsync) and a fresh
 * database in it, migrated unless told otherwise, with a pool on it. For tests, benchmarks and
 * harnesses of every workspace; `useTestDatabase` (./testing.ts) gives one to a vitest file.
 */
export class TestDatabase {
  /** the scratch directory (documents, relays, child processes' data go here too) */
  dir = ""
  cluster!: EmbeddedPg
  /** URL of the fresh database */
  url = ""
  pool!: pg.Pool
  readonly #options: TestDatabaseOptions

  constructor(options: TestDatabaseOptions = {}) {
    this.#options = options
  }

  static start(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
    return new TestDatabase(options).start()
  }

  async start(): Promise<this> {
    this.dir = await mkdtemp(join(tmpdir(), `vetsync-${this.#options.prefix ?? "db"}-`))
    this.cluster = await new EmbeddedPg({ dir: join(this.dir, "pg"), fast: true, scratch: true, port: this.#options.port }).start()
    this.url = await this.cluster.createDatabase(`test_${randomBytes(6).toString("hex")}`)
    this.pool = new pg.Pool({ connectionString: this.url, max: 4 })
    this.pool.on("error", () => undefined)
    if (this.#options.migrate !== false) await migrate(this.pool)
    return this
  }

  /** Ends the pool, stops the cluster, removes the directory (also after a start that failed half way). */
  async stop(): Promise<void> {
    await this.pool?.end().catch(() => undefined)
    await this.cluster?.dispose()
    // retried: a child process or a desk still closing may be writing its last file meanwhile
    if (this.dir) await rm(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}
