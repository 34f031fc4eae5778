// Defect 1: the upstream WebSocket client adapter (WebSocketClientAdapter / BrowserWebSocketClientAdapter)
//  (a) ENOTFOUND (unresolvable host) and (b) ECONNRESET (server resets during the upgrade) kill the process,
//  (c) ECONNRESET after the session is up (server accepts, answers "peer", then resets the TCP socket),
//  (d) send() on a socket that is not open throws,
//  and retries run every 5 s with no backoff.
// Each scenario runs in its own child process with NO uncaughtException handler, exactly as a desk would.
//   AM=alpha (default) or AM=2.5.6 picks the implementation; the parent runs both unless AM is set.
import { spawn } from "node:child_process"
import * as net from "node:net"
import { fileURLToPath } from "node:url"
import { WebSocketServer } from "ws"
import { load, sleep, freePort, waitFor } from "./lib.ts"

const RUN_MS = Number(process.env.RUN_MS ?? 11_500) // long enough to see attempts at ~0, 5, 10 s
const scenarios = ["enotfound", "reset-on-upgrade", "reset-after-open", "send-not-open"] as const
type Scenario = (typeof scenarios)[number]

const msg = (targetId: string) =>
  ({ type: "sync", senderId: "desk:a:1", targetId, documentId: "x", data: new Uint8Array([1]) }) as any

async function child(s: Scenario) {
  const m = await load()
  const out = (o: unknown) => console.log(JSON.stringify(o))
  const t0 = Date.now()
  const attempts: number[] = []
  const track = (adapter: any) => {
    const orig = adapter.connect.bind(adapter)
    adapter.connect = (...a: unknown[]) => {
      attempts.push(Date.now() - t0)
      return orig(...a)
    }
  }
  if (s === "enotfound" || s === "reset-on-upgrade" || s === "reset-after-open") {
    let url = "ws://nonexistent.invalid/sync"
    let resets = 0
    if (s === "reset-on-upgrade") {
      // a server that resets the connection as soon as the client sends its upgrade request
      const server = net.createServer(sock => sock.on("data", () => (resets++, sock.resetAndDestroy())))
      await new Promise<void>(r => server.listen(0, "127.0.0.1", r))
      url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/sync`
      server.unref()
    }
    if (s === "reset-after-open") {
      // a real ws server that answers the join with "peer", then resets the TCP connection
      const wss = new WebSocketServer({ host: "127.0.0.1", port: await freePort() })
      await new Promise(r => wss.on("listening", r))
      wss.on("connection", ws => {
        ws.on("message", () => {
          ws.send(m.cbor.encode({ type: "peer", senderId: "relay:x", targetId: "desk:a:1", peerMetadata: {}, selectedProtocolVersion: "1" }))
          setTimeout(() => ((ws as any)._socket.resetAndDestroy(), resets++), 50)
        })
      })
      url = `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/sync`
    }
    const adapter = new m.WebSocketClientAdapter(url) // default retryInterval (5000 ms)
    track(adapter)
    const events: string[] = []
    adapter.on("peer-candidate", (e: any) => events.push(`+${e.peerId}@${Date.now() - t0}`))
    adapter.on("peer-disconnected", (e: any) => events.push(`-${e.peerId}@${Date.now() - t0}`))
    adapter.connect("desk:a:1")
    await sleep(RUN_MS)
    out({ scenario: s, survived: true, connectAttemptsAtMs: attempts, resets, events })
    process.exit(0)
  }
  if (s === "send-not-open") {
    const port = await freePort() // nothing listens: ECONNREFUSED
    const adapter = new m.WebSocketClientAdapter(`ws://127.0.0.1:${port}/sync`, 60_000)
    const trySend = (phase: string) => {
      try {
        adapter.send(msg("relay:x"))
        return `${phase}: no throw`
      } catch (e) {
        return `${phase}: THROWS ${(e as Error).message}`
      }
    }
    const r: string[] = [trySend("before connect()")]
    adapter.connect("desk:a:1")
    r.push(trySend(`right after connect() (readyState=${adapter.socket?.readyState})`))
    let failed = false
    adapter.socket.addEventListener("error", () => (failed = true))
    await waitFor(() => failed, 5000)
    await sleep(200) // let the close event (if any) arrive
    r.push(trySend(`after the refused connection's error event (readyState=${adapter.socket?.readyState})`))
    try {
      adapter.send({ ...msg("relay:x"), data: new Uint8Array(0) })
      r.push("zero-length data: no throw")
    } catch (e) {
      r.push(`zero-length data: THROWS ${(e as Error).message}`)
    }
    out({ scenario: s, survived: true, results: r })
    process.exit(0)
  }
}

async function parent() {
  const whichs = process.env.AM ? [process.env.AM] : ["alpha", "2.5.6"]
  const me = fileURLToPath(import.meta.url)
  const runs = whichs.flatMap(w => scenarios.map(s => ({ w, s })))
  const results = await Promise.all(
    runs.map(
      ({ w, s }) =>
        new Promise<string>(resolve => {
          const c = spawn(process.execPath, ["--import", "tsx", me, s], { env: { ...process.env, AM: w }, stdio: ["ignore", "pipe", "pipe"] })
          let so = ""
          let se = ""
          c.stdout.on("data", d => (so += d))
          c.stderr.on("data", d => (se += d))
          c.on("exit", (code, sig) => {
            const err = se.split("\n").find(l => /Error|error:|code:/.test(l)) ?? se.split("\n")[0]
            const codeLine = se.match(/code: '([A-Z_]+)'/)?.[1]
            resolve(
              code === 0
                ? `[${w}] ${so.trim()}`
                : `[${w}] {"scenario":"${s}","survived":false,"exit":${code ?? sig},"error":${JSON.stringify(`${err?.trim()}${codeLine ? ` (${codeLine})` : ""}`)}}`,
            )
          })
        }),
    ),
  )
  console.log(`node ${process.version}`)
  for (const r of results) console.log(r)
}

const arg = process.argv[2] as Scenario | undefined
if (arg) await child(arg)
else await parent()
