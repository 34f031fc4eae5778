import { createConnection, createServer, type Server, type Socket } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually, TcpProxy } from "@vetsync/test-kit"

/** An echo server that counts what it received. */
const echo = async (): Promise<{ server: Server; port: number; received: () => number }> => {
  let received = 0
  const server = createServer(s => {
    s.on("error", () => undefined)
    s.on("data", d => {
      received += d.length
      s.write(d)
    })
  })
  await new Promise<void>(ok => server.listen(0, "127.0.0.1", () => ok()))
  const addr = server.address()
  return { server, port: typeof addr === "object" && addr ? addr.port : 0, received: () => received }
}

const connect = async (port: number): Promise<{ socket: Socket; got: () => string; closed: () => boolean }> => {
  let got = ""
  let closed = false
  const socket = createConnection({ host: "127.0.0.1", port })
  socket.on("error", () => undefined)
  socket.on("data", d => (got += d.toString()))
  socket.on("close", () => (closed = true))
  await new Promise<void>((ok, fail) => {
    socket.once("connect", () => ok())
    socket.once("error", fail)
  })
  return { socket, got: () => got, closed: () => closed }
}

/** One echo round trip through `port`: a barrier that proves the server has been working meanwhile. */
const roundTrip = async (port: number, text: string): Promise<void> => {
  const c = await connect(port)
  c.socket.write(text)
  await eventually(`echo of ${text}`, () => c.got() === text, 5000)
  c.socket.destroy()
}

describe("TcpProxy", () => {
  let target: Awaited<ReturnType<typeof echo>>
  let proxy: TcpProxy
  let control: TcpProxy
  beforeAll(async () => {
    target = await echo()
    proxy = await TcpProxy.start(target.port)
    control = await TcpProxy.start(target.port)
  })
  afterAll(async () => {
    await proxy.close()
    await control.close()
    await new Promise(r => target.server.close(r))
  })

  it("passes traffic both ways", async () => {
    await roundTrip(proxy.port, "hello")
    expect(proxy.stats.up).toBeGreaterThanOrEqual(5)
    expect(proxy.stats.down).toBeGreaterThanOrEqual(5)
  })

  it("drop closes open connections and refuses new ones until healed", async () => {
    const c = await connect(proxy.port)
    c.socket.write("x")
    await eventually("the first byte echoed", () => c.got() === "x", 5000)
    proxy.drop()
    await eventually("the open connection to close", () => c.closed(), 5000)
    const d = await connect(proxy.port).catch(() => undefined)
    if (d) await eventually("a new connection to be reset", () => d.closed(), 5000)
    expect(proxy.stats.refused).toBeGreaterThanOrEqual(d ? 1 : 0)
    proxy.heal()
    await roundTrip(proxy.port, "again")
  })

  it("stall forwards nothing but keeps sockets open; heal delivers what waited", async () => {
    const open = await connect(proxy.port)
    open.socket.write("a")
    await eventually("a echoed", () => open.got() === "a", 5000)
    proxy.stall()
    const before = target.received()
    open.socket.write("b")
    const held = await connect(proxy.port)
    held.socket.write("c")
    await roundTrip(control.port, "barrier")
    expect(target.received()).toBe(before + "barrier".length)
    expect(open.got()).toBe("a")
    expect(open.closed() || held.closed()).toBe(false)
    proxy.heal()
    await eventually("b echoed after heal", () => open.got() === "ab", 5000)
    await eventually("c echoed after heal", () => held.got() === "c", 5000)
    open.socket.destroy()
    held.socket.destroy()
  })
})
