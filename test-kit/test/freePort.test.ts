import { readFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { describe, expect, it } from "vitest"
import { freePort } from "../src/freePort.js"

const listen = (port: number, host: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(port, host, () => resolve(srv))
  })
const close = (srv: Server): Promise<void> => new Promise(r => srv.close(() => r()))

describe("freePort", () => {
  it("hands out distinct ports below the OS's ephemeral range that a server then takes, on loopback and on every interface", async () => {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0])
    const ports: number[] = []
    for (let i = 0; i < 40; i++) ports.push(await freePort())
    expect(new Set(ports).size).toBe(ports.length)
    for (const [i, port] of ports.entries()) {
      expect(port).toBeLessThan(low)
      const srv = await listen(port, i % 2 === 0 ? "127.0.0.1" : "0.0.0.0")
      await close(srv)
    }
  })

  it("never hands out a port a server listens on", async () => {
    // every port handed out is held, so each later draw must find another
    const held: Server[] = []
    try {
      for (let i = 0; i < 30; i++) {
        const port = await freePort()
        expect(held.map(s => (s.address() as { port: number }).port)).not.toContain(port)
        held.push(await listen(port, "127.0.0.1"))
      }
    } finally {
      await Promise.all(held.map(close))
    }
  })
})
