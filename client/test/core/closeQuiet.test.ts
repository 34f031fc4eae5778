import * as fs from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { eventually } from "@vetsync/test-kit"
import { generateClinic } from "@vetsync/test-kit/seed"
import { RelayServer } from "@vetsync/sync-server"
import { afterEach, describe, expect, it } from "vitest"
import { DeskCore } from "../../src/core/DeskCore.js"
import { seedRelayStorage } from "../e2e/harness/seed.js"
import { tmpDir } from "./fixtures.js"

const clinic = generateClinic({ seed: "close-quiet", clients: 60, patients: 60, priceItems: 5 })

/** The relay's bundle request as the stand-in saw it: held until released, and whether the desk gave it up. */
interface Held {
  release: () => void
  /** the desk closed the request before any answer */
  abandoned: boolean
  /** the answer was forwarded whole, or the request was abandoned */
  over: boolean
}

/**
 * In front of a relay: WebSocket upgrades and every request pass through, except the clinic's
 * bundle (`GET /clinics/<id>/documents`), which waits until the test releases it.
 */
const standIn = async (relayPort: number, held: Held[]): Promise<{ port: number; close: () => Promise<void> }> => {
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, done?: () => void): void => {
    const up = http.request({ host: "127.0.0.1", port: relayPort, path: req.url, method: req.method, headers: req.headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
      res.on("close", () => done?.())
    })
    up.on("error", () => res.destroy())
    req.pipe(up)
  }
  const sockets = new Set<net.Socket>()
  const server = http.createServer((req, res) => {
    if (!/\/documents$/.test(req.url ?? "")) return forward(req, res)
    const h: Held = { release: () => undefined, abandoned: false, over: false }
    res.on("close", () => {
      if (res.headersSent) return
      h.abandoned = true
      h.over = true
    })
    h.release = () => {
      if (h.abandoned) return
      forward(req, res, () => void (h.over = true))
    }
    held.push(h)
  })
  server.on("connection", s => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const up = net.connect(relayPort, "127.0.0.1", () => {
      const lines = [`${req.method ?? "GET"} ${req.url ?? "/"} HTTP/1.1`]
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
      up.write(`${lines.join("\r\n")}\r\n\r\n`)
      up.write(head)
      socket.pipe(up).pipe(socket)
    })
    const end = (): void => {
      up.destroy()
      socket.destroy()
    }
    up.on("error", end)
    socket.on("error", end)
    up.on("close", end)
    socket.on("close", end)
  })
  await new Promise<void>(r => server.listen(0, "127.0.0.1", r))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise(r => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

/** What changes in a directory (recursively) from now on, and a way to know every earlier change was reported. */
const watchDir = (dir: string): { changes: string[]; settled: () => Promise<void>; close: () => void } => {
  const changes: string[] = []
  let marks = 0
  const watcher = fs.watch(dir, { recursive: true }, (event, file) => {
    if (typeof file === "string" && file.startsWith(".quiet-mark-")) return void marks++
    changes.push(`${event} ${String(file)}`)
  })
  return {
    changes,
    // events come in order: once the watcher reports a mark written now, it reported everything before it
    settled: async () => {
      const before = marks
      const mark = path.join(dir, `.quiet-mark-${before}`)
      fs.writeFileSync(mark, "")
      await eventually("the watcher to report the mark", () => marks > before, 10_000)
      fs.rmSync(mark)
      await eventually("the watcher to report the mark's removal", () => marks > before + 1, 10_000)
    },
    close: () => watcher.close(),
  }
}

describe("a desk closing writes nothing into its directory afterwards", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it("a new desk closed while the relay's bundle is on its way: the download is given up, no document is written after close()", async () => {
    const relayDir = tmpDir("close-quiet-relay")
    await seedRelayStorage(relayDir, clinic)
    const relay = await RelayServer.start({ dataDir: relayDir, port: 0, clinics: [clinic.clinicId], keepAliveMs: 30_000 })
    cleanup.push(() => relay.close())
    const held: Held[] = []
    const front = await standIn(relay.port, held)
    cleanup.push(() => front.close())
    const dataDir = tmpDir("close-quiet-desk")
    const desk = await DeskCore.open({ dataDir, server: `ws://127.0.0.1:${front.port}/sync`, clinicId: clinic.clinicId, deskId: "desk-q", deskCode: "Q1" })
    let closed = false
    cleanup.push(() => (closed ? undefined : desk.close()))

    await eventually("the desk to ask the relay for the clinic's bundle", () => held.length > 0, 60_000, {
      describe: () => `bootstrap ${desk.status().bootstrap.phase}`,
    })
    // the bundle is asked for as soon as the snapshot answers (downloaded while the snapshot is applied)
    expect(["snapshot", "documents"]).toContain(desk.status().bootstrap.phase)
    await desk.close()
    closed = true
    const watch = watchDir(dataDir)
    cleanup.push(() => watch.close())
    // close() gave the download up: the desk closed its request (it would write the bundle's documents)
    await eventually("the desk to give up the bundle's request", () => held[0]!.abandoned, 10_000)
    held[0]!.release()
    await eventually("the bundle's request over", () => held.every(h => h.over), 10_000)
    await watch.settled()
    expect(watch.changes, "files written into the desk's directory after close()").toEqual([])
    expect(held).toHaveLength(1)
  })
})
