import { readFileSync } from "node:fs"
import { createServer } from "node:net"

/** The lowest port the OS hands out on its own (to listen(0) and outgoing connections); 32768 if unknown. */
const ephemeralLow = (): number => {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > 2048 ? low : 32768
  } catch {
    return 32768
  }
}

const FIRST = 10_000
/** ports this process handed out already: never twice */
const handedOut = new Set<number>()

/** Whether a listener can take the port on every interface now (so on 127.0.0.1 too). */
const canListen = (port: number): Promise<boolean> =>
  new Promise(resolve => {
    const srv = createServer()
    srv.once("error", () => resolve(false))
    srv.listen(port, "0.0.0.0", () => srv.close(() => resolve(true)))
  })

/** What the OS picks for listen(0): the fallback. */
const osPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))))
    })
  })

/**
 * A TCP port that nothing listens on right now, for a server a test starts later (often another
 * process). It is drawn below the OS's ephemeral range: a port the OS picked (the old way) could be
 * handed to any outgoing connection or listen(0) of the tests running alongside before the server
 * bound it (a desk of the chaos test died of EADDRINUSE that way in CI). Below that range only
 * another caller of freePort can take it, and this process never hands one out twice.
 */
export const freePort = async (): Promise<number> => {
  const low = ephemeralLow()
  const span = low - FIRST
  if (span >= 1000) {
    for (let i = 0; i < 50; i++) {
      const port = FIRST + Math.floor(Math.random() * span)
      if (handedOut.has(port)) continue
      handedOut.add(port)
      if (await canListen(port)) return port
    }
  }
  return osPort()
}
