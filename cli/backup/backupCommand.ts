import { existsSync, readFileSync } from "node:fs"
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { EmbeddedPg, loadMigrations } from "@vetsync/db"
import { MANIFEST, sha256File, verifyBackup, type BackupManifest } from "./manifest.js"
import { dumpDatabase, restoreDatabase } from "./pgDump.js"
import { copyRelayData, restoreRelayData } from "./relayCopy.js"

export interface BackupArgs {
  dir: string
  relayData?: string
  postgres: boolean
}

/** `backup --out DIR` / `restore --from DIR` with [--relay-data DIR | --no-relay] [--no-postgres]. */
export const parseBackupArgs = (command: "backup" | "restore", argv: string[]): BackupArgs => {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      from: { type: "string" },
      "relay-data": { type: "string" },
      "no-relay": { type: "boolean", default: false },
      "no-postgres": { type: "boolean", default: false },
    },
  })
  const dir = command === "backup" ? values.out : values.from
  if (!dir) throw new Error(command === "backup" ? "--out DIR is required" : "--from DIR is required")
  if (!values["relay-data"] && !values["no-relay"]) throw new Error("--relay-data DIR (the relay's VETSYNC_DATA_DIR) is required, or --no-relay")
  if (values["no-relay"] && values["no-postgres"]) throw new Error("--no-relay and --no-postgres together leave nothing to do")
  return { dir: resolve(dir), relayData: values["no-relay"] ? undefined : resolve(values["relay-data"] ?? ""), postgres: !values["no-postgres"] }
}

const productVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version

/** DATABASE_URL, else the bridge's embedded cluster in VETSYNC_DATA_DIR/pg, started for the command. */
const withDatabase = async <T>(env: NodeJS.ProcessEnv, say: (l: string) => void, use: (url: string) => Promise<T>): Promise<T> => {
  if (env.DATABASE_URL) return use(env.DATABASE_URL)
  const dir = join(resolve(env.VETSYNC_DATA_DIR || "data/bridge"), "pg")
  say(`no DATABASE_URL: the embedded PostgreSQL in ${dir} (the bridge must be stopped)`)
  const cluster = await new EmbeddedPg({ dir }).start()
  try {
    return await use(cluster.url)
  } finally {
    await cluster.stop()
  }
}

export const runBackup = async (a: BackupArgs, env: NodeJS.ProcessEnv = process.env, say: (l: string) => void = console.log): Promise<BackupManifest> => {
  if (existsSync(a.dir) && (await readdir(a.dir)).length > 0) throw new Error(`${a.dir} is not empty: a backup goes into a new directory`)
  // written beside the target and renamed when whole: a directory with a manifest is a finished backup
  const work = `${a.dir}.partial`
  await rm(work, { recursive: true, force: true })
  await mkdir(work, { recursive: true })
  const m: BackupManifest = { format: "vetsync-backup", formatVersion: 1, createdAt: new Date().toISOString(), productVersion: productVersion() }
  if (a.relayData) {
    m.relay = await copyRelayData(a.relayData, work)
    say(`relay: ${m.relay.documents} documents, ${m.relay.files.length} files`)
  }
  if (a.postgres) {
    const file = join(work, "postgres.dump")
    const info = await withDatabase(env, say, url => dumpDatabase(url, file, env))
    m.postgres = { file: { path: "postgres.dump", bytes: (await stat(file)).size, sha256: await sha256File(file) }, ...info }
    say(`postgres: ${info.serverVersion}, migrations up to ${info.migrations.at(-1) ?? "none"}, ${m.postgres.file.bytes} bytes`)
  }
  await writeFile(join(work, MANIFEST), JSON.stringify(m, null, 2) + "\n")
  await rm(a.dir, { recursive: true, force: true })
  await rename(work, a.dir)
  say(`backup written to ${a.dir}`)
  return m
}

export const runRestore = async (a: BackupArgs, env: NodeJS.ProcessEnv = process.env, say: (l: string) => void = console.log): Promise<void> => {
  const m = await verifyBackup(a.dir)
  if (a.relayData && !m.relay) throw new Error("the backup holds no relay data (made with --no-relay); restore with --no-relay")
  if (a.postgres && !m.postgres) throw new Error("the backup holds no PostgreSQL dump (made with --no-postgres); restore with --no-postgres")
  if (m.postgres) {
    const known = new Set((await loadMigrations()).map(x => x.version))
    const unknown = m.postgres.migrations.filter(v => !known.has(v))
    if (unknown.length > 0)
      throw new Error(`the backup's database has migrations this vetsync does not know (${unknown.join(", ")}): it was made by a newer version (${m.productVersion})`)
  }
  say(`backup of ${m.createdAt} (vetsync ${m.productVersion}) verified`)
  if (a.relayData && m.relay) {
    await restoreRelayData(a.dir, m.relay.files, a.relayData)
    say(`relay: ${m.relay.documents} documents restored into ${a.relayData}`)
  }
  if (a.postgres && m.postgres) {
    const dump = join(a.dir, m.postgres.file.path)
    await withDatabase(env, say, url => restoreDatabase(url, dump, env))
    say(`postgres: restored (migrations up to ${m.postgres.migrations.at(-1) ?? "none"})`)
  }
}
