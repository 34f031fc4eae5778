// Does the alpha run on this machine's Node 20 (the product's engines: node >= 20)? The alpha declares node >= 22.13.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { load, sleep } from "./lib.ts"
const m = await load("alpha")
console.log(`node ${process.version}; global WebSocket: ${typeof (globalThis as any).WebSocket}; Promise.withResolvers: ${typeof (Promise as any).withResolvers}`)
// NOHANDLER=1: no unhandledRejection handler, as in a real desk/server (the process then dies with exit 1 on Node 20)
if (!process.env.NOHANDLER) process.on("unhandledRejection", e => console.log("unhandledRejection:", (e as Error).message))
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alpha-eval-n20-"))
const repo = new m.Repo({ storage: new m.NodeFSStorageAdapter(dir) })
const h = repo.create({ n: 0 })
h.change((d: any) => (d.n = 1))
try {
  await Promise.race([repo.flush(), sleep(3000).then(() => { throw new Error("flush() did not settle in 3 s") })])
  console.log("flush ok")
} catch (e) {
  console.log("flush failed:", (e as Error).message)
}
const files = fs.readdirSync(dir, { recursive: true }).length
console.log(`files written under storage dir: ${files}`)
try {
  new m.WebSocketClientAdapter("ws://127.0.0.1:9").connect("desk:a:1")
  console.log("client connect ok")
} catch (e) {
  console.log("client connect():", (e as Error).message)
}
fs.rmSync(dir, { recursive: true, force: true })
process.exit(0)
