import { AtolDriver10Register } from "../../src/core/fiscal/AtolDriver10Register.js"
import { FiscalEmulator } from "../../src/core/fiscal/FiscalEmulator.js"
import { fiscalAcceptance, type RegisterUnderTest } from "./acceptance.js"
import { AtolTestServer } from "./AtolTestServer.js"

const clock = (): { now: () => Date; advance: (ms: number) => void } => {
  let t = Date.parse("2026-12-01T09:00:00Z")
  return { now: () => new Date(t), advance: ms => (t += ms) }
}

fiscalAcceptance("FiscalEmulator", async (): Promise<RegisterUnderTest> => {
  const c = clock()
  const e = new FiscalEmulator({ now: c.now })
  return {
    register: e,
    setPaper: p => e.setPaper(p),
    setStorageFull: f => e.setStorageFull(f),
    setConnected: on => e.setConnected(on),
    advance: c.advance,
    journal: () => e.journal(),
    stop: () => e.close(),
  }
})

fiscalAcceptance("AtolDriver10Register against an ATOL web server (emulator behind it)", async () => {
  const c = clock()
  const e = new FiscalEmulator({ now: c.now })
  const server = new AtolTestServer(e)
  await server.start()
  const register = new AtolDriver10Register({ url: server.url, pollMs: 10, resultTimeoutMs: 2_000, httpTimeoutMs: 2_000 })
  return {
    register,
    setPaper: p => e.setPaper(p),
    setStorageFull: f => e.setStorageFull(f),
    setConnected: on => (server.down = !on),
    advance: c.advance,
    journal: () => e.journal(),
    stop: async () => {
      await register.close()
      await server.stop()
    },
  }
})
