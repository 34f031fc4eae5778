import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

/** A built snapshot as kept on disk: what it was built from, its documents' heads, and its bytes. */
export interface PersistedSnapshot {
  /** SnapshotBuilder's fingerprint of the clinic's stored documents when the build started */
  fingerprint: string
  /** document id -> heads (UrlHeads) the snapshot reflects */
  heads: Record<string, string[]>
  gz: Buffer
  bundle: Buffer
}

interface Meta {
  v: 1
  fingerprint: string
  heads: Record<string, string[]>
  gz: string
  bundle: string
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex")

/** Writes a file whole or not at all: temporary file, fsync, rename, fsync of the directory. */
const writeAtomically = async (file: string, data: Buffer | string): Promise<void> => {
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`
  const fh = await fs.promises.open(tmp, "w")
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await fs.promises.rename(tmp, file)
  const dir = await fs.promises.open(path.dirname(file), "r")
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/**
 * Each clinic's last built snapshot and bundle on the relay's disk, so a restarted relay serves a
 * new desk at once instead of loading every document of the clinic first. The metadata file is
 * written last and names the other two by hash: a half-written set is never taken.
 */
export class SnapshotFiles {
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  async read(clinicId: string): Promise<PersistedSnapshot | undefined> {
    const base = this.#base(clinicId)
    try {
      const meta = JSON.parse(await fs.promises.readFile(`${base}.json`, "utf8")) as Partial<Meta>
      if (meta.v !== 1 || typeof meta.fingerprint !== "string" || typeof meta.heads !== "object" || meta.heads === null)
        return undefined
      const [gz, bundle] = await Promise.all([
        fs.promises.readFile(`${base}.ndjson.gz`),
        fs.promises.readFile(`${base}.bundle`),
      ])
      if (sha256(gz) !== meta.gz || sha256(bundle) !== meta.bundle) return undefined
      return { fingerprint: meta.fingerprint, heads: meta.heads, gz, bundle }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw e
    }
  }

  async write(clinicId: string, s: PersistedSnapshot): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true })
    const base = this.#base(clinicId)
    await writeAtomically(`${base}.ndjson.gz`, s.gz)
    await writeAtomically(`${base}.bundle`, s.bundle)
    const meta: Meta = { v: 1, fingerprint: s.fingerprint, heads: s.heads, gz: sha256(s.gz), bundle: sha256(s.bundle) }
    await writeAtomically(`${base}.json`, JSON.stringify(meta))
  }

  #base(clinicId: string): string {
    return path.join(this.dir, encodeURIComponent(clinicId))
  }
}
