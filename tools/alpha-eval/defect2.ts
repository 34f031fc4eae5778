// Defect 2: one malformed frame from any socket crashes the server adapter (NodeWSServerAdapter / WebSocketServerAdapter).
// A server Repo (WebSocketServerAdapter on a real ws server, 127.0.0.1) and two desk Repos (upstream client adapter)
// share a document; raw sockets then send the malformed frames of sync-server/test/malformed.test.ts one by one.
// We report, per frame: does the server process survive, what happens to the attacking socket, and at the end
// whether the two desks still sync an edit through the server.
// Runs in a child process without an uncaughtException handler (like a real server). AM=alpha|2.5.6.
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import { WebSocket, WebSocketServer } from "ws"
import { load, sleep, freePort, waitFor } from "./lib.ts"

async function child() {
  const m = await load()
  const { cbor } = m
  const port = await freePort()
  const wss = new WebSocketServer({ host: "127.0.0.1", port })
  await new Promise(r => wss.on("listening", r))
  const server = new m.Repo({ network: [new m.WebSocketServerAdapter(wss)], peerId: "relay:x", sharePolicy: async () => true })
  const url = `ws://127.0.0.1:${port}`
  const desk = (id: string) =>
    new m.Repo({ network: [new m.WebSocketClientAdapter(url, 200)], peerId: id, sharePolicy: async () => true })
  const a = desk("desk:a:1")
  const b = desk("desk:b:1")
  const hA = a.create({ v: 0 })
  const hB = await b.find(hA.url)
  await waitFor(() => hB.doc()?.v === 0)
  const documentId = hA.documentId
  console.log(`SETUP ok: desks a and b share ${documentId}`)

  let n = 0
  const frames: [string, (ws: WebSocket, me: string) => void, boolean][] = [
    ["a CBOR null", ws => ws.send(cbor.encode(null)), false],
    ["random bytes", ws => ws.send(randomBytes(512)), false],
    ["CBOR of the wrong shape (array)", ws => ws.send(cbor.encode([1, "join", { a: 1 }])), false],
    ["CBOR object without type", (ws, me) => ws.send(cbor.encode({ senderId: me })), false],
    ["a document message before join", (ws, me) =>
      ws.send(cbor.encode({ type: "sync", senderId: me, targetId: "relay:x", documentId, data: new Uint8Array([0x42, 1]) })), false],
    ["a sync message whose data is not a sync message", (ws, me) =>
      ws.send(cbor.encode({ type: "sync", senderId: me, targetId: "relay:x", documentId, data: randomBytes(64) })), true],
    ["a request with documentId null", (ws, me) =>
      ws.send(cbor.encode({ type: "request", senderId: me, targetId: "relay:x", documentId: null, data: new Uint8Array([1]) })), true],
    ["a sync message with documentId 'garbage'", (ws, me) =>
      ws.send(cbor.encode({ type: "sync", senderId: me, targetId: "relay:x", documentId: "garbage", data: new Uint8Array([1]) })), true],
    ["an unknown message type", (ws, me) => ws.send(cbor.encode({ type: "crash-please", senderId: me })), true],
    ["a text frame", ws => ws.send("hello relay"), false],
    ["a join whose supportedProtocolVersions is a number", (ws, me) =>
      ws.send(cbor.encode({ type: "join", senderId: me, peerMetadata: {}, supportedProtocolVersions: 7 })), false],
    ["a join with a long non-ASCII peer id", ws =>
      ws.send(cbor.encode({ type: "join", senderId: `desk:other:${"ж".repeat(100)}`, peerMetadata: {} })), false],
    ["an ephemeral message with no data", (ws, me) =>
      ws.send(cbor.encode({ type: "ephemeral", senderId: me, targetId: "relay:x", documentId, count: 1, sessionId: "s" })), true],
    ["a remote-subscription-change with non-array add", (ws, me) =>
      ws.send(cbor.encode({ type: "remote-subscription-change", senderId: me, targetId: "relay:x", add: 5 })), true],
    ["a remote-heads-changed with newHeads null", (ws, me) =>
      ws.send(cbor.encode({ type: "remote-heads-changed", senderId: me, targetId: "relay:x", documentId, newHeads: null })), true],
  ]
  const start = Number(process.argv[3] ?? 0)
  for (const [name, send, join] of frames.slice(start)) {
    const me = `desk:evil:${++n}`
    console.log(`SENDING ${frames.findIndex(f => f[0] === name)} ${name}`)
    const ws = new WebSocket(url)
    await new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej)))
    const replies: string[] = []
    let code: number | "still open" = "still open"
    ws.on("message", d => {
      try {
        replies.push((cbor.decode(new Uint8Array(d as Buffer)) as any)?.type)
      } catch {
        replies.push("?")
      }
    })
    ws.on("close", c => (code = c))
    if (join) {
      ws.send(cbor.encode({ type: "join", senderId: me, peerMetadata: {}, supportedProtocolVersions: ["1"] }))
      await waitFor(() => replies.includes("peer"), 3000)
    }
    send(ws, me)
    await waitFor(() => code !== "still open", 1500)
    await sleep(100)
    console.log(`RESULT ${name}: server alive; attacking socket: ${code === "still open" ? "still open (message silently ignored)" : `closed ${code}`}; replies: [${replies.join(",")}]`)
    ws.terminate()
  }
  hA.change((d: any) => (d.v = 42))
  const synced = await waitFor(() => hB.doc()?.v === 42, 5000)
  console.log(`AFTER ALL FRAMES: edit a->b through the server ${synced ? "synced" : "DID NOT sync"}; server peers: ${JSON.stringify(server.peers)}`)
  process.exit(0)
}

async function parent() {
  const whichs = process.env.AM ? [process.env.AM] : ["alpha", "2.5.6"]
  console.log(`node ${process.version}`)
  for (const w of whichs) {
    console.log(`=== ${w}`)
    // when the server dies, start a fresh one at the next frame, so every frame is tried
    let start = 0
    for (;;) {
      const { lines, died } = await new Promise<{ lines: string[]; died?: string }>(resolve => {
        const c = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "child", String(start)], {
          env: { ...process.env, AM: w },
          stdio: ["ignore", "pipe", "pipe"],
        })
        let so = ""
        let se = ""
        c.stdout.on("data", d => (so += d))
        c.stderr.on("data", d => (se += d))
        c.on("exit", (code, sig) => {
          const lines = so.trim().split("\n")
          if (code === 0) return resolve({ lines })
          const err = se.split("\n").find(l => /Error/.test(l)) ?? se.split("\n")[0]
          resolve({ lines, died: `exit ${code ?? sig}: ${err?.trim()}` })
        })
      })
      for (const l of lines) if (/^(RESULT|AFTER)/.test(l) || (start === 0 && l.startsWith("SETUP"))) console.log(l)
      if (!died) break
      const last = lines.filter(l => l.startsWith("SENDING")).at(-1)
      if (!last) {
        console.log(`server died before any frame: ${died}`)
        break
      }
      const idx = Number(last.split(" ")[1])
      console.log(`RESULT ${last.split(" ").slice(2).join(" ")}: SERVER PROCESS DIED (${died})`)
      start = idx + 1
    }
  }
}

if (process.argv[2] === "child") await child()
else await parent()
