import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative, sep } from "node:path"
import type { BackupFile } from "./manifest.js"

/**
 * A consistent copy of a running relay's data directory, without stopping it.
 *
 * Why it is consistent: the relay's storage (SafeFsStorageAdapter) writes every chunk to a temporary
 * file and renames it into place, so a chunk file is always whole, and chunks are never rewritten:
 * an incremental is named by its content's hash, and a compaction first writes the new snapshot
 * chunk and only then removes the chunks it replaces. A document's copy is the chunks listed in
 * its directory; when one of them disappears while it is copied (a compaction ran), the document's
 * directory is listed and copied again, so the copy holds either the old chunks or the snapshot
 * that covers them. Extra chunks are harmless (Automerge merges them). The ownership map
 * (`ownership.json`, written whole by rename) is copied after every document, so every copied
 * document has its owner. `snapshots/` is a cache the relay rebuilds from the documents, and the
 * per-peer sync states describe exchanges a restored relay starts over: neither is copied.
 */

const isTemporary = (name: string): boolean => name.includes(".tmp-")

const filesUnder = async (dir: string): Promise<string[]> => {
  const out: string[] = []
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      // sync states describe what peers had when they were written: a restored relay starts each exchange over
      if (e.isDirectory()) {
        if (e.name !== "sync-state") await walk(join(d, e.name))
      }
      else if (e.isFile() && !isTemporary(e.name)) out.push(join(d, e.name))
    }
  }
  await walk(dir)
  return out.sort()
}

const posix = (p: string): string => p.split(sep).join("/")

/** Copies `from` to `to` hashing it; undefined when `from` vanished. */
const copyHashed = async (from: string, to: string): Promise<{ bytes: number; sha256: string } | undefined> => {
  let data: Buffer
  try {
    data = await readFile(from)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
  await mkdir(dirname(to), { recursive: true })
  await writeFile(to, data)
  return { bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") }
}

/** Copies the relay's `docs/` and `ownership.json` into `<out>/relay/`; the files with their checksums. */
export const copyRelayData = async (relayDir: string, out: string): Promise<{ documents: number; files: BackupFile[] }> => {
  const docs = join(relayDir, "docs")
  if (!existsSync(docs)) throw new Error(`${relayDir} is not a relay's data directory (it has no docs/)`)
  const files: BackupFile[] = []
  let documents = 0
  // docs/<id[0:2]>/<id[2:]>/<type>/<hash>: one directory per document
  for (const a of (await readdir(docs, { withFileTypes: true })).filter(e => e.isDirectory())) {
    for (const b of (await readdir(join(docs, a.name), { withFileTypes: true })).filter(e => e.isDirectory())) {
      const docDir = join(docs, a.name, b.name)
      documents++
      for (let attempt = 0; ; attempt++) {
        const target = join(out, "relay", relative(relayDir, docDir))
        await rm(target, { recursive: true, force: true })
        const copied: BackupFile[] = []
        let vanished = false
        for (const f of await filesUnder(docDir)) {
          const rel = relative(relayDir, f)
          const c = await copyHashed(f, join(out, "relay", rel))
          if (!c) {
            vanished = true
            break
          }
          copied.push({ path: posix(join("relay", rel)), ...c })
        }
        if (!vanished) {
          files.push(...copied)
          break
        }
        if (attempt >= 20) throw new Error(`document ${a.name}${b.name} kept changing while it was copied; try again`)
      }
    }
  }
  const ownership = await copyHashed(join(relayDir, "ownership.json"), join(out, "relay", "ownership.json"))
  if (ownership) files.push({ path: "relay/ownership.json", ...ownership })
  return { documents, files }
}

/** Puts a verified backup's relay files into `relayDir`, which must not hold documents already. */
export const restoreRelayData = async (backup: string, files: readonly BackupFile[], relayDir: string): Promise<void> => {
  if ((await filesUnder(join(relayDir, "docs"))).length > 0 || existsSync(join(relayDir, "ownership.json")))
    throw new Error(`${relayDir} already holds a relay's documents: stop the relay and move the directory aside first (restore never overwrites)`)
  for (const f of files) {
    const to = join(relayDir, ...f.path.split("/").slice(1))
    await mkdir(dirname(to), { recursive: true })
    await copyFile(join(backup, f.path), to)
  }
  await mkdir(join(relayDir, "docs"), { recursive: true })
}
