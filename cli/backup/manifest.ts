import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"

/** `manifest.json` of a backup directory: what is in it, from which versions, with every file's checksum. */
export interface BackupFile {
  /** relative to the backup directory, with / */
  path: string
  bytes: number
  sha256: string
}

export interface BackupManifest {
  format: "vetsync-backup"
  formatVersion: 1
  createdAt: string
  productVersion: string
  relay?: {
    /** documents (chunks), then the ownership map; the snapshots are a cache the relay rebuilds */
    documents: number
    files: BackupFile[]
  }
  postgres?: {
    /** pg_dump's custom format */
    file: BackupFile
    serverVersion: string
    pgDumpVersion: string
    /** the schema migrations applied in the dumped database */
    migrations: number[]
  }
}

export const MANIFEST = "manifest.json"

export const sha256File = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const h = createHash("sha256")
    createReadStream(path)
      .on("data", d => h.update(d))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")))
  })

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const isFile = (v: unknown): v is BackupFile =>
  isRecord(v) &&
  typeof v.path === "string" &&
  !v.path.split("/").includes("..") &&
  !v.path.startsWith("/") &&
  typeof v.bytes === "number" &&
  typeof v.sha256 === "string" &&
  /^[0-9a-f]{64}$/.test(v.sha256)

/** The manifest's shape, or the reason it is not one this version reads. */
export const parseManifest = (text: string): BackupManifest => {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new Error("manifest.json is not JSON: the backup is damaged")
  }
  if (!isRecord(v) || v.format !== "vetsync-backup") throw new Error("manifest.json is not a VetSync backup's manifest")
  if (v.formatVersion !== 1) throw new Error(`the backup's format version ${String(v.formatVersion)} is not one this vetsync reads (1)`)
  if (typeof v.createdAt !== "string" || typeof v.productVersion !== "string") throw new Error("manifest.json lacks createdAt or productVersion")
  const relay = v.relay
  if (relay !== undefined && !(isRecord(relay) && typeof relay.documents === "number" && Array.isArray(relay.files) && relay.files.every(isFile)))
    throw new Error("manifest.json: the relay part is malformed")
  const pg = v.postgres
  if (
    pg !== undefined &&
    !(
      isRecord(pg) &&
      isFile(pg.file) &&
      typeof pg.serverVersion === "string" &&
      typeof pg.pgDumpVersion === "string" &&
      Array.isArray(pg.migrations) &&
      pg.migrations.every(n => Number.isInteger(n))
    )
  )
    throw new Error("manifest.json: the PostgreSQL part is malformed")
  return v as unknown as BackupManifest
}

/** Reads the manifest and checks every file it names against its size and checksum; the first problem is the refusal. */
export const verifyBackup = async (dir: string): Promise<BackupManifest> => {
  let text: string
  try {
    text = await readFile(join(dir, MANIFEST), "utf8")
  } catch {
    throw new Error(`${dir} has no manifest.json: not a VetSync backup, or an unfinished one`)
  }
  const m = parseManifest(text)
  const files = [...(m.relay?.files ?? []), ...(m.postgres ? [m.postgres.file] : [])]
  for (const f of files) {
    let sum: string
    try {
      sum = await sha256File(join(dir, f.path))
    } catch {
      throw new Error(`the backup is damaged: ${f.path} is missing`)
    }
    if (sum !== f.sha256) throw new Error(`the backup is damaged: ${f.path} does not match its checksum`)
  }
  return m
}
