import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as A from "@automerge/automerge"
import { Repo, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import { afterEach, describe, expect, it } from "vitest"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "../..")
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex")

const listFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => path.join(e.parentPath, e.name))

/** Runs the writer child until it acknowledged `acks` saves, then kills it with SIGKILL; returns the acknowledged change numbers. */
const runAndKill = (dir: string, docId: string, acks: number): Promise<number[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "storage-crash-writer.ts"), dir, docId], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    })
    const acked: number[] = []
    let buf = ""
    let err = ""
    child.stderr.on("data", d => (err += String(d)))
    child.stdout.on("data", d => {
      buf += String(d)
      let nl: number
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        const m = /^ack (\d+)$/.exec(line)
        if (m) acked.push(Number(m[1]))
        if (acked.length === acks) child.kill("SIGKILL")
      }
    })
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(acked)
      else reject(new Error(`writer exited (${code}) before being killed: ${err}`))
    })
  })

describe("SafeFsStorageAdapter crash safety", () => {
  const dirs: string[] = []
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-crash-"))
    dirs.push(d)
    return d
  }
  afterEach(() => {
    while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true })
  })

  it("keeps every acknowledged chunk intact across kill -9, and a Repo loads all acknowledged changes", async () => {
    for (const acks of [7, 19, 31]) {
      const dir = tmp()
      const docId = parseAutomergeUrl(generateAutomergeUrl()).documentId
      const acked = await runAndKill(dir, docId, acks)
      expect(acked.length).toBeGreaterThanOrEqual(acks)

      const adapter = new SafeFsStorageAdapter(dir, { fsync: false })
      const incrementals = await adapter.loadRange([docId, "incremental"])
      // no torn chunk is returned: every incremental's content still hashes to its key
      for (const c of incrementals) expect(sha256(c.data!)).toBe(c.key[2])
      const snapshots = await adapter.loadRange([docId, "snapshot"])
      expect(snapshots).toHaveLength(1)
      expect(() => A.load(snapshots[0]!.data!)).not.toThrow()
      // at most the one write in flight at the kill is lost (or left as a temporary file)
      expect(incrementals.length).toBeGreaterThanOrEqual(acked.length)
      expect(incrementals.length).toBeLessThanOrEqual(acked.length + 1)

      const repo = new Repo({ storage: adapter })
      const doc = (await repo.find<Record<string, unknown>>(docId)).doc()
      for (const i of acked) expect(typeof (doc[`k${i}`] as A.ImmutableString | undefined)?.val).toBe("string")
      expect(doc.n).toBeGreaterThanOrEqual(acked.length)

      // leftovers of the interrupted write are ignored on read and swept on demand
      const leftovers = listFiles(dir).filter(f => f.includes(".tmp-")).length
      expect(adapter.sweepTemporaryFiles()).toBe(leftovers)
      expect(listFiles(dir).filter(f => f.includes(".tmp-"))).toEqual([])
    }
  })

  it("contrast: a torn incremental written by a plain writeFile (NodeFS 2.5.6) makes the Repo drop acknowledged changes", async () => {
    const dir = tmp()
    const docId = parseAutomergeUrl(generateAutomergeUrl()).documentId
    const nodefs = new NodeFSStorageAdapter(dir)
    let doc = A.from<Record<string, unknown>>({ n: 0 })
    await nodefs.save([docId, "snapshot", sha256(Buffer.from(A.getHeads(doc).join("")))], A.save(doc))
    let last: string[] = []
    for (let i = 0; i < 5; i++) {
      const before = A.getHeads(doc)
      doc = A.change(doc, d => {
        d[`k${i}`] = `value ${i}`
        d.n = i + 1
      })
      const chunk = A.saveSince(doc, before)
      last = [docId, "incremental", sha256(chunk)]
      await nodefs.save(last, chunk)
    }
    // the last write was torn by a crash: plain writeFile leaves a half-written file in place
    const lastFile = path.join(dir, docId.slice(0, 2), docId.slice(2), ...last.slice(1))
    const full = fs.readFileSync(lastFile)
    fs.writeFileSync(lastFile, full.subarray(0, Math.floor(full.length / 2)))

    const repo = new Repo({ storage: new NodeFSStorageAdapter(dir) })
    const loaded = (await repo.find<Record<string, unknown>>(docId)).doc()
    // changes 0..3 were written completely and acknowledged, yet they are gone
    expect(loaded.k0).toBeUndefined()
    expect(loaded.n).toBe(0)

    // the same crash under SafeFs: the torn bytes are in a temporary file, the target is
    // absent (never acknowledged), and every acknowledged change loads
    const safeDir = tmp()
    fs.cpSync(dir, safeDir, { recursive: true })
    const safeLast = path.join(safeDir, docId.slice(0, 2), docId.slice(2), ...last.slice(1))
    fs.renameSync(safeLast, `${safeLast}.tmp-0123456789ab`)
    const safeRepo = new Repo({ storage: new SafeFsStorageAdapter(safeDir, { fsync: false }) })
    const safeLoaded = (await safeRepo.find<Record<string, unknown>>(docId)).doc()
    expect([safeLoaded.k0, safeLoaded.k3, safeLoaded.n]).toEqual(["value 0", "value 3", 4])
  })
})
