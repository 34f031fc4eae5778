import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { exchangeEnrolmentToken, loadDeskCredential, saveDeskCredential } from "@vetsync/shared"
import { verifyDeskCertificate } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureLanCertificate } from "../../src/setup/lanCertificate.js"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { RegistryRelay } from "../setup/RegistryRelay.js"

describe("a desk enrolled before LAN certificates gets one from its relay when LAN sync is on (issue 15)", () => {
  let reg: RegistryRelay
  const closers: (() => Promise<unknown>)[] = []
  beforeAll(async () => {
    reg = await RegistryRelay.create()
    await reg.startRelay()
    await reg.addClinic("lan-old")
  }, 120_000)
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined)
    await reg?.close()
  })

  /** enrolled as before issue 15: no LAN key sent, so credential.json has no `lan` */
  const oldDesk = async (deskId: string): Promise<string> => {
    const answer = await exchangeEnrolmentToken(reg.syncUrl, await reg.addDesk("lan-old", deskId))
    if (!answer.ok) throw new Error(`enrolment failed: ${answer.status}`)
    expect(answer.credential.lan).toBeUndefined()
    const dataDir = join(await mkdtemp(join(tmpdir(), `vetsync-lan-old-${deskId}-`)), "desk")
    saveDeskCredential(dataDir, { ...answer.credential, server: reg.syncUrl })
    return dataDir
  }

  it("two old desks started with --lan-port fetch their certificates, keep them in credential.json, and sync with each other over the LAN", async () => {
    const dirs = [await oldDesk("old-1"), await oldDesk("old-2")]
    const ports = [await freePort(), await freePort()]
    const peers = ports.map(p => `127.0.0.1:${p}`)
    const desks: RunningDesk[] = []
    for (const [i, dataDir] of dirs.entries()) {
      const desk = await startDesk({ dataDir, port: 0, lan: { port: ports[i]!, peers } })
      closers.push(() => desk.close())
      desks.push(desk)
    }
    for (const [i, dataDir] of dirs.entries()) {
      const lan = loadDeskCredential(dataDir)?.lan
      expect(lan, `desk ${i + 1}'s credential.json carries its LAN certificate`).toBeDefined()
      expect(await verifyDeskCertificate(lan!.cert, lan!.ca, "lan-old")).toEqual({ ok: true, clinicId: "lan-old", deskId: `old-${i + 1}` })
    }
    await eventually("each desk to sync with the other over the LAN", () => desks.every(d => d.core.status().lanPeers === 1), 30_000)

    // both desks have the clinic from the relay; then a record made on one reaches the other over the LAN alone
    const first = await desks[0]!.core.call("clients.create", { name: "Сидорова Анна", phone: "+79161112233" })
    await eventually("the first client on the other desk", async () => (await desks[1]!.core.call("clients.get", { id: first.client.id })) !== null, 30_000)
    await reg.stopRelay()
    const second = await desks[0]!.core.call("clients.create", { name: "Петрова Анна", phone: "+79161112234" })
    await eventually("the second client on the other desk, over the LAN", async () => (await desks[1]!.core.call("clients.get", { id: second.client.id })) !== null, 30_000)

    // once stored, the certificate is not asked for again: with the relay down it is still there, nothing sent
    expect(await ensureLanCertificate(dirs[0]!, reg.syncUrl)).toEqual({ ok: true, lan: loadDeskCredential(dirs[0]!)?.lan, fetched: false })
  })

  it("starts without LAN, saying why, when the relay cannot be reached", async () => {
    await reg.startRelay()
    const dataDir = await oldDesk("old-3")
    await reg.stopRelay()
    const log: string[] = []
    const desk = await startDesk({ dataDir, port: 0, lan: { port: await freePort(), peers: [] }, log: l => void log.push(l) })
    closers.push(() => desk.close())
    expect(loadDeskCredential(dataDir)?.lan).toBeUndefined()
    expect(log.some(l => l.includes("no LAN certificate from the relay: the relay is unreachable"))).toBe(true)
    expect(desk.core.status().lanPeers).toBe(0)
  })
})
