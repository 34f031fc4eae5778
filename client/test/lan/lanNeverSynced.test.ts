import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { RegistryRelay } from "../setup/RegistryRelay.js"

const CLINIC = "lan-fresh"

/**
 * The earlier report "a desk that has never synced through the relay may not receive a peer's
 * records over the LAN (seen once)": two enrolled desks, one of which never reached the relay.
 */
describe("a desk that never synced through the relay gets a peer's records over the LAN (issue 15)", () => {
  let reg: RegistryRelay
  const closers: (() => Promise<unknown>)[] = []
  beforeAll(async () => {
    reg = await RegistryRelay.create()
    await reg.startRelay()
    await reg.addClinic(CLINIC)
  }, 120_000)
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined)
    await reg?.close()
  })

  const enrolled = (deskId: string): Promise<string> => reg.enrolLanDesk(CLINIC, deskId)
  const start = async (dataDir: string, port: number, peers: string[]): Promise<RunningDesk> => {
    const desk = await startDesk({ dataDir, port: 0, lan: { port, peers } })
    closers.push(() => desk.close())
    return desk
  }
  const clientOn = async (desk: RunningDesk, id: string): Promise<boolean> => (await desk.core.call("clients.get", { id })) !== null

  it("desk B, started for the first time with the relay down, receives what desk A made before and after", async () => {
    const [dirA, dirB] = [await enrolled("fresh-a"), await enrolled("fresh-b")]
    const ports = [await freePort(), await freePort()]
    const peers = ports.map(p => `127.0.0.1:${p}`)
    const a = await start(dirA, ports[0]!, peers)
    const before = await a.core.call("clients.create", { name: "Сидорова Анна", phone: "+79161112233" })
    await eventually("A to have its client at the relay", () => a.core.status().waitingRecords === 0 && a.core.status().online, 30_000)
    await reg.stopRelay()

    const b = await start(dirB, ports[1]!, peers)
    await eventually("A and B to sync with each other over the LAN", () => a.core.status().lanPeers === 1 && b.core.status().lanPeers === 1, 30_000)
    await eventually("A's earlier client on B, over the LAN", () => clientOn(b, before.client.id), 30_000)
    const after = await a.core.call("clients.create", { name: "Петрова Анна", phone: "+79161112234" })
    await eventually("A's new client on B, over the LAN", () => clientOn(b, after.client.id), 30_000)
    // and the other way: B's record reaches A
    const fromB = await b.core.call("clients.create", { name: "Иванова Анна", phone: "+79161112235" })
    await eventually("B's client on A, over the LAN", () => clientOn(a, fromB.client.id), 30_000)

    // the relay returns: B takes its snapshot over what the LAN brought, and its own record reaches the relay
    await reg.startRelay()
    await eventually("B to be bootstrapped and to have nothing waiting", () => {
      const s = b.core.status()
      return s.online && s.waitingRecords === 0 && s.bootstrap.phase === "done"
    }, 60_000)
    for (const id of [before.client.id, after.client.id, fromB.client.id]) expect(await clientOn(b, id)).toBe(true)
  })
})
