import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as https from "node:https"
import * as path from "node:path"
import { cbor } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
import { eventually } from "@vetsync/test-kit"
import { makeTemp, rmTemp } from "./support.js"

/** A self-signed certificate for 127.0.0.1, made with the openssl binary at test time. */
const selfSigned = (dir: string): { key: string; cert: string } => {
  const key = path.join(dir, "key.pem")
  const cert = path.join(dir, "cert.pem")
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  )
  return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") }
}

describe("relay with native TLS (wss)", () => {
  let dir: string
  let relay: RelayServer
  let tls: { key: string; cert: string }
  beforeAll(async () => {
    dir = makeTemp("tls")
    tls = selfSigned(dir)
    relay = await RelayServer.start({ dataDir: `${dir}/relay`, tls })
  })
  afterAll(async () => {
    await relay.close()
    rmTemp(dir)
  })

  it("serves wss:// and https:// to a client that trusts the certificate", async () => {
    expect(relay.syncUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/sync$/)
    const health = await new Promise<number>((resolve, reject) =>
      https
        .get(`${relay.url}/health`, { ca: tls.cert }, res => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        .on("error", reject),
    )
    expect(health).toBe(200)
    const ws = new WebSocket(`${relay.syncUrl}?clinic=c1&desk=a`, { ca: tls.cert })
    const replies: { type?: string }[] = []
    ws.on("message", m => replies.push(cbor.decode<{ type?: string }>(new Uint8Array(m as Buffer))))
    await new Promise((resolve, reject) => {
      ws.once("open", resolve)
      ws.once("error", reject)
    })
    ws.send(cbor.encode({ type: "join", senderId: "desk:a:1", peerMetadata: {}, supportedProtocolVersions: ["1"] }))
    await eventually(
      "the relay to answer the join over TLS with a peer frame",
      () => replies.some(r => r.type === "peer"),
      20_000,
    )
    ws.close()
  })

  it("refuses a client that does not trust the certificate, and plaintext ws://", async () => {
    const untrusted = new WebSocket(`${relay.syncUrl}?clinic=c1&desk=a`)
    await expect(
      new Promise((resolve, reject) => {
        untrusted.once("open", resolve)
        untrusted.once("error", reject)
      }),
    ).rejects.toThrow(/self-signed|certificate/)
    const plain = new WebSocket(relay.syncUrl.replace("wss:", "ws:") + "?clinic=c1&desk=a")
    await expect(
      new Promise((resolve, reject) => {
        plain.once("open", resolve)
        plain.once("error", reject)
      }),
    ).rejects.toThrow()
  })
})
