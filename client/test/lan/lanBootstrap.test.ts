import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { RegistryRelay } from "../setup/RegistryRelay.js"

const CLINIC = "lan-boot"

/**
 * Issue 15, bootstrap over the LAN: a new desk (never synced) whose relay is down takes the
 * clinic's snapshot and documents from a desk of the clinic on the LAN, searches at once, works,
 * and catches up with the relay when it returns (its records reach it once).
 */
describe("a new desk bootstraps from a LAN peer while the relay is down (issue 15)", () => {
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
  const start = async (
    dataDir: string,
    lan?: { port: number; peers: string[]; bootstrapAfterMs?: number },
    log?: string[],
  ): Promise<RunningDesk> => {
    const desk = await startDesk({
      dataDir,
      port: 0,
      ...(lan ? { lan } : {}),
      ...(log ? { log: (line: string) => void log.push(line) } : {}),
    })
    closers.push(() => desk.close())
    return desk
  }
  const found = async (desk: RunningDesk, query: string): Promise<string[]> =>
    (await desk.core.call("clients.search", { query })).hits.map(h => h.id).sort()

  it("takes the snapshot from desk A with the relay down, searches it, syncs over the LAN, and is current once the relay returns", async () => {
    const [portA, portB] = [await freePort(), await freePort()]
    const logA: string[] = []
    const a = await start(await enrolled("boot-a"), { port: portA, peers: [`127.0.0.1:${portB}`] }, logA)
    const first = await a.core.call("clients.create", { name: "Сидорова Анна", phone: "+79161112233" })
    await eventually("A bootstrapped, its client at the relay", () => {
      const s = a.core.status()
      return s.online && s.waitingRecords === 0 && s.bootstrap.phase === "done"
    }, 60_000)
    const dirB = await enrolled("boot-b")
    await reg.stopRelay()
    await eventually("A offline", () => !a.core.status().online, 30_000)
    // made while the relay is down: on A only, not yet at the relay
    const offline = await a.core.call("clients.create", { name: "Сидорова Мария", phone: "+79161112234" })

    // B has never synced: the relay does not answer, so after 0.5 s it asks A
    const b = await start(dirB, { port: portB, peers: [`127.0.0.1:${portA}`], bootstrapAfterMs: 500 })
    await eventually("B to find both of A's clients by search", async () => (await found(b, "Сидорова")).length === 2, 30_000)
    expect(await found(b, "Сидорова")).toEqual([first.client.id, offline.client.id].sort())
    // (the records may come over LAN sync before the snapshot does: a never-synced desk opens what a
    // peer sends) the snapshot comes from A; the server-owned documents come from the relay only, so
    // the bootstrap stays at "documents" until it returns
    await eventually("A to serve B the clinic's snapshot", () => logA.some(l => /^LAN: served the clinic's snapshot to desk boot-b \(\d+ bytes\)$/.test(l)), 30_000)
    await eventually("B's bootstrap at its documents phase", () => b.core.status().bootstrap.phase === "documents", 30_000, {
      describe: () => `phase ${b.core.status().bootstrap.phase}`,
    })
    await eventually("A to serve B the documents too", () => logA.some(l => /^LAN: served the clinic's documents to desk boot-b/.test(l)), 30_000)

    // B works and syncs with A over the LAN
    const fromB = await b.core.call("clients.create", { name: "Сидорова Ольга", phone: "+79161112235" })
    await eventually("B's client on A, over the LAN", async () => (await a.core.call("clients.get", { id: fromB.client.id })) !== null, 30_000)
    const edited = await a.core.call("clients.update", { id: first.client.id, patch: { notes: "edited on A, relay down" } })
    await eventually(
      "A's edit on B, over the LAN",
      async () => (await b.core.call("clients.get", { id: first.client.id }))?.client.notes === edited.notes,
      30_000,
    )

    // the relay returns: B finishes its bootstrap from it and everything waiting reaches it
    await reg.startRelay()
    await eventually("B online, bootstrapped, nothing waiting", () => {
      const s = b.core.status()
      return s.online && s.bootstrap.phase === "done" && s.waitingRecords === 0
    }, 60_000)
    await eventually("A online, nothing waiting", () => a.core.status().online && a.core.status().waitingRecords === 0, 60_000)
    const all = [first.client.id, offline.client.id, fromB.client.id].sort()
    expect(await found(b, "Сидорова")).toEqual(all)

    // what the relay holds: a third desk bootstrapped from it alone has each record once, with A's edit
    const c = await start(await enrolled("boot-c"))
    await eventually(
      "C bootstrapped from the relay with all three clients",
      async () => c.core.status().bootstrap.phase === "done" && (await found(c, "Сидорова")).length === 3,
      60_000,
    )
    expect(await found(c, "Сидорова")).toEqual(all)
    expect((await c.core.call("clients.get", { id: first.client.id }))?.client.notes).toBe(edited.notes)
  })
})
