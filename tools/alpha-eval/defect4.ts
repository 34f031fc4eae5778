// Defect 4: saving per-peer sync state is throttled per remote storageId ACROSS documents
// (one asyncThrottle per storageId; a later document's save replaces a pending one for another document),
// so most documents never get their sync state saved.
// Part 1 prints the installed SyncStateTracker code. Part 2 (cheap reproduction): a server Repo and a desk Repo,
// both with NodeFS storage and upstream defaults (not ephemeral), over real WebSockets on 127.0.0.1; the desk
// creates N documents; after everything is synced and flushed we count, per side, how many documents have a
// sync-state file for the other side. Part 3: the restart scenario of client/test/net/restart-sync.test.ts in
// upstream's default configuration (desk storage kept, new peer id, server keeps running): does the restarted
// desk receive the changes another desk made to documents it had not changed?
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { WebSocketServer } from "ws"
import { load, here, freePort, sleep, waitFor } from "./lib.ts"

const N = Number(process.env.N ?? 40)
const listFiles = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter(e => e.isFile()).map(e => path.join(e.parentPath, e.name))
    : []
const syncStateDocs = (dir: string) => new Set(listFiles(dir).filter(f => f.includes(`${path.sep}sync-state${path.sep}`)).map(f => path.relative(dir, f).split(path.sep).slice(0, 2).join("")))

{
  const src = fs.readFileSync(path.join(here, "node_modules/@automerge/automerge-repo/dist/SyncStateTracker.js"), "utf8")
  const a = src.indexOf("/** saves sync state throttled per storage id")
  console.log("installed automerge-repo dist/SyncStateTracker.js #saveSyncState:")
  console.log(src.slice(a, src.indexOf("void handler(payload);", a) + 22).split("\n").filter(l => !/^\s*\/\/ /.test(l)).map(l => "  | " + l).join("\n"))
}

const findRetry = async (repo: any, url: string): Promise<any> => {
  for (let i = 0; ; i++) {
    try {
      return await repo.find(url)
    } catch (e) {
      if (i > 50) throw e
      await sleep(100)
    }
  }
}

for (const w of (process.env.AM ? [process.env.AM] : ["alpha", "2.5.6"]) as ("alpha" | "2.5.6")[]) {
  const m = await load(w)
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "alpha-eval-d4-"))
  const port = await freePort()
  const wss = new WebSocketServer({ host: "127.0.0.1", port })
  await new Promise(r => wss.on("listening", r))
  const url = `ws://127.0.0.1:${port}`
  const dirS = path.join(tmp, "server")
  const server = new m.Repo({ storage: new m.NodeFSStorageAdapter(dirS), network: [new m.WebSocketServerAdapter(wss)], peerId: "relay:x", sharePolicy: async () => true })
  // SAME_PEER=1: the restarted desk reuses its peer id (otherwise a new random one, upstream's default)
  const desk = (name: string, dir: string) =>
    new m.Repo({ storage: new m.NodeFSStorageAdapter(dir), network: [new m.WebSocketClientAdapter(url, 200)], peerId: process.env.SAME_PEER ? `desk:${name}` : `desk:${name}:${Math.random().toString(16).slice(2, 8)}`, sharePolicy: async () => true })
  const dirA = path.join(tmp, "a")
  const a1 = desk("a", dirA)
  const handles = Array.from({ length: N }, (_, i) => a1.create({ i, v: 0 }))
  handles.slice(0, N / 2).forEach((h, i) => h.change((d: any) => (d.v = 100 + i)))
  await waitFor(() => a1.peers.length > 0 && server.peers.length > 0)
  const onServer = await Promise.all(handles.map(h => findRetry(server, h.url)))
  const heads = (h: any) => JSON.stringify([...h.heads()].sort())
  const allOnServer = await waitFor(() => handles.every((h, i) => heads(h) === heads(onServer[i])), 20_000)
  await sleep(1500) // let every throttled save run
  await a1.flush()
  await server.flush()
  const deskSaved = syncStateDocs(dirA).size
  const serverSaved = syncStateDocs(dirS).size
  console.log(`\n[${w}] ${m.version}`)
  console.log(`  ${N} documents created on desk a and synced to the server (all heads equal: ${allOnServer})`)
  console.log(`  documents with a saved sync state: desk a (for the server) ${deskSaved}/${N}; server (for desk a) ${serverSaved}/${N}`)

  // part 3: restart
  const b = desk("b", path.join(tmp, "b"))
  await waitFor(() => b.peers.length > 0)
  const onB = await Promise.all(handles.map(h => findRetry(b, h.url)))
  await a1.shutdown()
  onB.slice(N / 2).forEach((h, i) => h.change((d: any) => (d.v = 500 + i)))
  await waitFor(() => onB.every((h, i) => heads(h) === heads(onServer[i])), 20_000)
  const a2 = desk("a", dirA) // same storage, new peer id; the server kept running
  const reopened = await Promise.all(handles.map(h => findRetry(a2, h.url)))
  reopened[0].change((d: any) => (d.v = 999))
  const got = () => reopened.slice(N / 2).filter((h, i) => h.doc().v === 500 + i).length
  const ok = await waitFor(() => got() === N / 2, 15_000)
  const back = await waitFor(() => onB[0].doc().v === 999, 5_000)
  console.log(`  restart: desk a restarted (same storage, ${process.env.SAME_PEER ? "same" : "new"} peer id) got b's changes for ${got()}/${N / 2} documents it had not changed${ok ? "" : " (waited 15 s)"}; its own change reached b: ${back}`)
  await Promise.all([a2.shutdown(), b.shutdown(), server.shutdown()].map(p => p.catch(() => {})))
  wss.close()
  fs.rmSync(tmp, { recursive: true, force: true })
}
process.exit(0)
