// Defect 3: NodeFSStorageAdapter writes with plain writeFile (no temp file + rename, no fsync), and a torn
// incremental chunk makes a Repo reload silently drop every incremental change of that document.
// No 2.6.0 alpha of @automerge/automerge-repo-storage-nodefs exists on npm; the newest is 2.5.6, which is what
// a 2.6.0-alpha.3 Repo would be paired with. Part 1 prints the installed save(); part 2 reproduces the tear
// (same scenario as shared/test/storage-crash.test.ts "contrast") and loads through the alpha Repo (and 2.5.6).
// Part 3: the same with chunks written by the Repo itself (no hand-made chunks).
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { load, here, waitFor } from "./lib.ts"

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")
const listFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter(e => e.isFile()).map(e => path.join(e.parentPath, e.name))

// ---- part 1: the source
const src = fs.readFileSync(path.join(here, "node_modules/@automerge/automerge-repo-storage-nodefs/dist/index.js"), "utf8")
const save = src.slice(src.indexOf("async save("), src.indexOf("async remove("))
console.log("installed storage-nodefs save():\n" + save.trim().split("\n").map(l => "  | " + l).join("\n"))
console.log(`  uses rename: ${/rename/.test(save)}, fsync/datasync: ${/fsync|datasync|\.sync\(/.test(save)}`)

for (const w of ["alpha", "2.5.6"] as const) {
  const m = await load(w)
  const { A } = m
  // ---- part 2: hand-written chunks, exactly as the contrast test
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alpha-eval-d3-"))
  const docId = m.parseAutomergeUrl(m.generateAutomergeUrl()).documentId
  const nodefs = new m.NodeFSStorageAdapter(dir)
  let doc = A.from({ n: 0 }) as any
  await nodefs.save([docId, "snapshot", sha256(Buffer.from(A.getHeads(doc).join("")))], A.save(doc))
  let last: string[] = []
  for (let i = 0; i < 5; i++) {
    const before = A.getHeads(doc)
    doc = A.change(doc, (d: any) => {
      d[`k${i}`] = `value ${i}`
      d.n = i + 1
    })
    const chunk = A.saveSince(doc, before)
    last = [docId, "incremental", sha256(chunk)]
    await nodefs.save(last, chunk)
  }
  const lastFile = path.join(dir, docId.slice(0, 2), docId.slice(2), ...last.slice(1))
  const full = fs.readFileSync(lastFile)
  fs.writeFileSync(lastFile, full.subarray(0, Math.floor(full.length / 2))) // the crash tore the last write
  const repo = new m.Repo({ storage: new m.NodeFSStorageAdapter(dir) })
  let loaded: any
  try {
    loaded = (await repo.find(docId)).doc()
  } catch (e) {
    loaded = `find() threw ${(e as Error).message}`
  }
  console.log(`[${w} Repo + ${m.version.split(" ")[2]}] hand-written: snapshot{n:0} + 5 incrementals (k0..k4, n=1..5), last one torn in half`)
  console.log(`   reloaded doc: ${JSON.stringify(loaded)}  -> ${loaded?.k0 === "value 0" && loaded?.n === 4 ? "intact changes kept (OK)" : "acknowledged changes k0..k3 DROPPED silently"}`)
  await repo.shutdown?.().catch(() => {})
  fs.rmSync(dir, { recursive: true, force: true })

  // ---- part 3: the Repo writes its own chunks; tear the newest incremental file
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), "alpha-eval-d3r-"))
  const r1 = new m.Repo({ storage: new m.NodeFSStorageAdapter(dir2) })
  // a large first snapshot, so that the later small saves stay incremental (small docs are re-snapshotted on every save)
  const h = r1.create({ blob: randomBytes(30_000).toString("base64"), n: 0 })
  await r1.flush()
  const written: { file: string; mtime: number }[] = []
  for (let i = 0; i < 5; i++) {
    h.change((d: any) => {
      d[`k${i}`] = `value ${i}`
      d.n = i + 1
    })
    await r1.flush()
  }
  await r1.shutdown?.().catch(() => {})
  const files = listFiles(dir2)
  const incr = files.filter(f => f.includes(`${path.sep}incremental${path.sep}`))
  const snaps = files.filter(f => f.includes(`${path.sep}snapshot${path.sep}`))
  // the newest incremental is the torn one
  const newest = incr.map(f => ({ f, t: fs.statSync(f).mtimeMs })).sort((a, b) => a.t - b.t).at(-1)?.f
  let note = `${snaps.length} snapshot(s), ${incr.length} incremental(s) on disk`
  if (newest) {
    const b = fs.readFileSync(newest)
    fs.writeFileSync(newest, b.subarray(0, Math.floor(b.length / 2)))
    note += "; newest incremental torn in half"
  } else note += "; no incremental file to tear"
  const r2 = new m.Repo({ storage: new m.NodeFSStorageAdapter(dir2) })
  let d2: any
  try {
    d2 = (await r2.find(h.documentId)).doc()
  } catch (e) {
    d2 = `find() threw ${(e as Error).message}`
  }
  console.log(`[${w} Repo + storage-nodefs] Repo-written: ${note}`)
  const { blob, ...rest } = typeof d2 === "object" ? d2 : ({ blob: undefined } as any)
  console.log(`   reloaded doc (blob ${blob ? "present" : "absent"}): ${typeof d2 === "object" ? JSON.stringify(rest) : d2}  (5 changes were flushed; only the newest file was torn)`)
  await r2.shutdown?.().catch(() => {})
  fs.rmSync(dir2, { recursive: true, force: true })
}
process.exit(0)
