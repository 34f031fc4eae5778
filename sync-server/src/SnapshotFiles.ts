import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { isDocKey, type DocKey } from "@vetsync/shared"
import { decodeEntry, encodeEntry, isWhole, keptEntry, type HeldEntry, type KeptEntry, type SnapshotEntry } from "./SnapshotEntry.js"

/** A clinic's snapshot to keep on disk: each document's entry, and when it was last updated. */
export interface PersistedSnapshot {
  generatedAt: string
  entries: ReadonlyMap<DocKey, HeldEntry>
}

/** A clinic's snapshot as read from disk: its entries without their bytes (read with `entry`). */
export interface KeptSnapshot {
  generatedAt: string
  entries: Map<DocKey, KeptEntry>
}

/**
 * The kept entries' version: 3 since the records lines carry their clients' search bodies, 4 since
 * they carry their records' conflicts. A snapshot kept by an older relay is not read (it is built
 * once again, then kept as this version).
 */
const MANIFEST_VERSION = 4

interface Manifest {
  v: typeof MANIFEST_VERSION
  generatedAt: string
  /** layout key -> the entry's file (named by the sha-256 of its bytes) */
  entries: Record<string, string>
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex")
const ENTRY = /^[A-Za-z0-9]+\.[0-9a-f]{64}\.entry$/

/** Writes a file whole or not at all: temporary file, fsync, rename (the caller syncs the directory). */
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
}

const syncDir = async (dir: string): Promise<void> => {
  const fh = await fs.promises.open(dir, "r")
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Each clinic's snapshot on the relay's disk, one file per document entry (named by its hash) and
 * a manifest naming them, so a restarted relay serves a new desk at once, and an update writes only
 * the entries that changed. The manifest is written after the entries it names and the files it no
 * longer names are removed after it: a half-written update is never taken.
 */
export class SnapshotFiles {
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  /**
   * The kept snapshot, or undefined: none, or an entry missing or not matching its name. Every
   * entry is read and checked; what is returned holds none of their bytes.
   */
  async read(clinicId: string): Promise<KeptSnapshot | undefined> {
    const base = this.#dirOf(clinicId)
    try {
      const m = JSON.parse(await fs.promises.readFile(path.join(base, "manifest.json"), "utf8")) as Partial<Manifest>
      if (m.v !== MANIFEST_VERSION || typeof m.generatedAt !== "string" || typeof m.entries !== "object" || m.entries === null)
        return undefined
      const entries = new Map<DocKey, KeptEntry>()
      for (const [key, file] of Object.entries(m.entries)) {
        if (!isDocKey(key) || typeof file !== "string" || !ENTRY.test(file)) return undefined
        const entry = await this.#entryIn(base, file)
        if (!entry || entry.key !== key) return undefined
        entries.set(key, keptEntry(entry))
      }
      return { generatedAt: m.generatedAt, entries }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw e
    }
  }

  /**
   * A kept entry with its bytes, read from its file: undefined when the file is gone, or is not
   * what its name says (its hash) or not an entry.
   */
  async entry(clinicId: string, file: string): Promise<SnapshotEntry | undefined> {
    return ENTRY.test(file) ? this.#entryIn(this.#dirOf(clinicId), file) : undefined
  }

  /** Keeps the snapshot: writes the entries not yet written, then the manifest, then removes the rest. */
  async write(clinicId: string, s: PersistedSnapshot): Promise<{ written: number }> {
    const base = this.#dirOf(clinicId)
    await fs.promises.mkdir(base, { recursive: true })
    const names: Record<string, string> = {}
    let written = 0
    for (const [key, entry] of s.entries) {
      let file = entry.file
      if (file === undefined && isWhole(entry)) {
        const bytes = encodeEntry(entry)
        file = `${entry.docId}.${sha256(bytes)}.entry`
        if (!fs.existsSync(path.join(base, file))) {
          await writeAtomically(path.join(base, file), bytes)
          written++
        }
        entry.file = file
      }
      if (file !== undefined) names[key] = file
    }
    if (written > 0) await syncDir(base)
    const manifest: Manifest = { v: MANIFEST_VERSION, generatedAt: s.generatedAt, entries: names }
    await writeAtomically(path.join(base, "manifest.json"), JSON.stringify(manifest))
    await syncDir(base)
    const keep = new Set(Object.values(names))
    for (const f of await fs.promises.readdir(base))
      if ((ENTRY.test(f) && !keep.has(f)) || f.endsWith(".tmp")) await fs.promises.rm(path.join(base, f), { force: true })
    return { written }
  }

  async #entryIn(base: string, file: string): Promise<(SnapshotEntry & { file: string }) | undefined> {
    const bytes = await fs.promises.readFile(path.join(base, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined
      throw e
    })
    if (!bytes || `${sha256(bytes)}.entry` !== file.slice(file.indexOf(".") + 1)) return undefined
    try {
      return { ...decodeEntry(bytes), file }
    } catch {
      return undefined
    }
  }

  #dirOf(clinicId: string): string {
    return path.join(this.dir, encodeURIComponent(clinicId))
  }
}
