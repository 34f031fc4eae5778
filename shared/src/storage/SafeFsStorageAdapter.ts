import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"

const TMP_MARK = ".tmp-"

/**
 * A file-per-chunk storage adapter with the on-disk layout of
 * @automerge/automerge-repo-storage-nodefs (`<id[0:2]>/<id[2:]>/<type>/<hash>`), so a
 * data directory written by one can be read by the other, but:
 * - every write goes to a temporary file, is fsynced, renamed over the target, and the
 *   directory is fsynced: a crash leaves either the old chunk or the new one, never a torn
 *   one (nodefs 2.5.6 uses a plain writeFile, and a torn incremental made a reload drop
 *   every incremental change of the document);
 * - it keeps no in-memory copy of every chunk (nodefs caches all of them and scans the
 *   cache on every loadRange, which grows quadratically with the number of files);
 * - leftovers of interrupted writes are ignored on read and removed on open.
 */
export class SafeFsStorageAdapter implements StorageAdapterInterface {
  readonly baseDirectory: string
  readonly #fsync: boolean

  constructor(baseDirectory: string, options: { fsync?: boolean } = {}) {
    this.baseDirectory = baseDirectory
    this.#fsync = options.fsync ?? true
    fs.mkdirSync(baseDirectory, { recursive: true })
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await fs.promises.readFile(this.#path(key)))
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw e
    }
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const file = this.#path(key)
    const dir = path.dirname(file)
    await fs.promises.mkdir(dir, { recursive: true })
    const tmp = `${file}${TMP_MARK}${randomBytes(6).toString("hex")}`
    const fh = await fs.promises.open(tmp, "w")
    try {
      await fh.writeFile(data)
      if (this.#fsync) await fh.sync()
    } finally {
      await fh.close()
    }
    await fs.promises.rename(tmp, file)
    if (this.#fsync) await syncDir(dir)
  }

  async remove(key: StorageKey): Promise<void> {
    await fs.promises.rm(this.#path(key), { force: true })
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const files = await this.#walk(keyPrefix)
    const out: Chunk[] = []
    // read sequentially in small batches: loadRange over a large document must not open every file at once
    for (let i = 0; i < files.length; i += 32) {
      const batch = files.slice(i, i + 32)
      const chunks = await Promise.all(batch.map(async key => ({ key, data: await this.load(key) })))
      for (const c of chunks) if (c.data) out.push(c)
    }
    return out
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    for (const key of await this.#walk(keyPrefix)) await this.remove(key)
  }

  /** True when any snapshot or incremental chunk of the document is on disk (without reading it). */
  hasDocument(documentId: string): boolean {
    // empty snapshot/ and incremental/ directories stay behind a compaction: files count, not directories
    return this.chunkNames(documentId).some(n => n.startsWith("snapshot/") || n.startsWith("incremental/"))
  }

  /**
   * The document's chunk files ("snapshot/<hash>", "incremental/<hash>"), sorted, without reading
   * them: chunk names are content hashes, so the list changes whenever the document's stored
   * content does.
   */
  chunkNames(documentId: string): string[] {
    const out: string[] = []
    const visit = (dir: string, rel: string): void => {
      for (const entry of safeReaddir(dir)) {
        if (entry.name.includes(TMP_MARK)) continue
        const name = rel ? `${rel}/${entry.name}` : entry.name
        if (entry.isDirectory()) visit(path.join(dir, entry.name), name)
        else out.push(name)
      }
    }
    visit(this.#path([documentId]), "")
    return out.sort()
  }

  /** Removes temporary files that interrupted writes left behind. */
  sweepTemporaryFiles(): number {
    let removed = 0
    const visit = (dir: string): void => {
      for (const entry of safeReaddir(dir)) {
        const p = path.join(dir, entry.name)
        if (entry.isDirectory()) visit(p)
        else if (entry.name.includes(TMP_MARK)) {
          fs.rmSync(p, { force: true })
          removed++
        }
      }
    }
    visit(this.baseDirectory)
    return removed
  }

  #path(key: StorageKey): string {
    const [first = "", ...rest] = key
    for (const part of key) {
      if (part === "" || part.includes("/") || part.includes("\\") || part === "." || part === "..")
        throw new Error(`invalid storage key part: ${JSON.stringify(part)}`)
    }
    return path.join(this.baseDirectory, first.slice(0, 2), first.slice(2), ...rest)
  }

  async #walk(keyPrefix: StorageKey): Promise<StorageKey[]> {
    if (keyPrefix.length === 0) {
      // whole store: <aa>/<rest>/...
      const out: StorageKey[] = []
      for (const a of await readdirAsync(this.baseDirectory)) {
        if (!a.isDirectory()) continue
        for (const b of await readdirAsync(path.join(this.baseDirectory, a.name))) {
          if (!b.isDirectory()) continue
          out.push(...(await this.#walk([a.name + b.name])))
        }
      }
      return out
    }
    const root = this.#path(keyPrefix)
    const out: StorageKey[] = []
    const visit = async (dir: string, key: StorageKey): Promise<void> => {
      let stat: fs.Stats
      try {
        stat = await fs.promises.stat(dir)
      } catch (e) {
        if (isNotFound(e)) return
        throw e
      }
      if (stat.isFile()) {
        if (!path.basename(dir).includes(TMP_MARK)) out.push(key)
        return
      }
      for (const entry of await readdirAsync(dir)) {
        if (entry.name.includes(TMP_MARK)) continue
        await visit(path.join(dir, entry.name), [...key, entry.name])
      }
    }
    await visit(root, keyPrefix)
    return out
  }
}

const isNotFound = (e: unknown): boolean => typeof e === "object" && e !== null && "code" in e && e.code === "ENOENT"

const readdirAsync = async (dir: string): Promise<fs.Dirent[]> => {
  try {
    return await fs.promises.readdir(dir, { withFileTypes: true })
  } catch (e) {
    if (isNotFound(e)) return []
    throw e
  }
}

const safeReaddir = (dir: string): fs.Dirent[] => {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

const syncDir = async (dir: string): Promise<void> => {
  const fh = await fs.promises.open(dir, "r")
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
