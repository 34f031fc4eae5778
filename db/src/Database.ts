import { join } from "node:path"
import pg from "pg"
import { EmbeddedPg } from "./EmbeddedPg.js"
import { migrate } from "./migrate.js"

/**
 * A migrated PostgreSQL pool: DATABASE_URL when given, else an embedded cluster in <dataDir>/pg.
 * (No pg type parsers are set here: the bridge's queries set theirs, see bridge/src/queries/Db.ts.)
 */
export class Database {
  readonly pool: pg.Pool
  readonly url: string
  readonly #embedded: EmbeddedPg | undefined

  private constructor(url: string, embedded: EmbeddedPg | undefined) {
    this.url = url
    this.#embedded = embedded
    this.pool = new pg.Pool({ connectionString: url, max: 6 })
    this.pool.on("error", () => {})
  }

  static async open(options: { dataDir: string; databaseUrl?: string; log?: (l: string) => void }): Promise<Database> {
    let url = options.databaseUrl
    let embedded: EmbeddedPg | undefined
    if (!url) {
      embedded = await new EmbeddedPg({ dir: join(options.dataDir, "pg"), log: options.log }).start()
      url = embedded.url
    }
    const db = new Database(url, embedded)
    try {
      await migrate(db.pool)
    } catch (e) {
      await db.close()
      throw e
    }
    return db
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {})
    await this.#embedded?.stop()
  }
}
