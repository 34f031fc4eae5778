// Shared helpers: load either the alpha (./node_modules) or the 2.5.6 contrast (./v256/node_modules).
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { createRequire } from "node:module"
import { pathToFileURL, fileURLToPath } from "node:url"

export const here = path.dirname(fileURLToPath(import.meta.url))
export type Which = "alpha" | "2.5.6"
export const which = (): Which => (process.env.AM === "2.5.6" ? "2.5.6" : "alpha")

const imp = async (base: string, spec: string) => {
  const req = createRequire(path.join(base, "noop.js"))
  return import(pathToFileURL(req.resolve(spec)).href)
}

export async function load(w: Which = which()) {
  const base = w === "alpha" ? here : path.join(here, "v256")
  const repo = await imp(base, "@automerge/automerge-repo")
  const ws = await imp(base, "@automerge/automerge-repo-network-websocket")
  const fsa = await imp(base, "@automerge/automerge-repo-storage-nodefs")
  const A = await imp(base, "@automerge/automerge")
  const pkg = (n: string) => JSON.parse(fs.readFileSync(path.join(base, "node_modules", n, "package.json"), "utf8")).version
  const version = ["@automerge/automerge-repo", "@automerge/automerge-repo-network-websocket", "@automerge/automerge-repo-storage-nodefs", "@automerge/automerge"]
    .map(n => `${n.replace("@automerge/", "")}@${pkg(n)}`)
    .join(" ")
  return {
    which: w,
    Repo: repo.Repo,
    cbor: repo.cbor,
    parseAutomergeUrl: repo.parseAutomergeUrl,
    generateAutomergeUrl: repo.generateAutomergeUrl,
    WebSocketClientAdapter: ws.WebSocketClientAdapter ?? ws.BrowserWebSocketClientAdapter,
    WebSocketServerAdapter: ws.WebSocketServerAdapter ?? ws.NodeWSServerAdapter,
    NodeFSStorageAdapter: fsa.NodeFSStorageAdapter,
    A,
    version,
  }
}

export const freePort = async (): Promise<number> => {
  const s = net.createServer()
  await new Promise<void>(r => s.listen(0, "127.0.0.1", r))
  const { port } = s.address() as net.AddressInfo
  await new Promise(r => s.close(r))
  return port
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
export const waitFor = async (check: () => boolean, ms = 10_000): Promise<boolean> => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) return false
    await sleep(20)
  }
  return true
}
