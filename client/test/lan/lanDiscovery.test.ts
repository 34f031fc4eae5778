import { Bonjour, type Service } from "bonjour-service"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { LanDiscovery, type MdnsSocketOptions } from "../../src/lan/LanDiscovery.js"
import { MDNS_SERVICE_TYPE, serviceName, serviceTxt } from "../../src/lan/mdnsPeers.js"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { RegistryRelay } from "../setup/RegistryRelay.js"

/**
 * mDNS on this machine only: the multicast group joined and sent to on the loopback interface, on
 * a port of this test's own (no multicast leaves the machine, and other runs' desks stay unseen).
 */
const loopbackMdns = async (): Promise<MdnsSocketOptions> => ({ interface: "127.0.0.1", bind: "224.0.0.251", port: await freePort() })

describe("desks of one clinic find each other by mDNS (issue 15)", () => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  })

  it("dials a desk of its clinic where it is published, follows it to a new port, and leaves other clinics, itself and the desks that dial it alone", async () => {
    const socket = await loopbackMdns()
    const calls: string[] = []
    const log: string[] = []
    const self = { clinicId: "clinic-m", deskId: "desk-b" }
    const discovery = new LanDiscovery(self, 4810, { addPeer: a => void calls.push(`add ${a}`), removePeer: a => void calls.push(`remove ${a}`) }, {
      socket,
      refreshMs: 500,
      log: l => void log.push(l),
    })
    closers.push(() => discovery.close())
    // the other publishers on the LAN, each with its own mDNS socket
    const other = new Bonjour({ ...socket })
    closers.push(() => new Promise<void>(resolve => other.unpublishAll(() => other.destroy(() => resolve()))))
    const publish = (clinicId: string, deskId: string, port: number): Service =>
      other.publish({ name: serviceName({ clinicId, deskId }), type: MDNS_SERVICE_TYPE, port, txt: serviceTxt({ clinicId, deskId }) })
    publish("clinic-other", "desk-c", 5001) // another clinic
    publish("clinic-m", "desk-a", 5002) // of ours, but the smaller id: it dials us
    const c = publish("clinic-m", "desk-c", 5003) // of ours, and ours to dial
    await eventually("desk-c dialled at 127.0.0.1:5003", () => calls.includes("add 127.0.0.1:5003"), 15_000)
    // desk-c moves to another port
    await new Promise<void>(resolve => c.stop(() => resolve()))
    publish("clinic-m", "desk-c", 5004)
    await eventually("desk-c dialled at its new port, its old address dropped", () => calls.includes("add 127.0.0.1:5004"), 15_000)
    expect(calls).toEqual(["add 127.0.0.1:5003", "remove 127.0.0.1:5003", "add 127.0.0.1:5004"])
    expect(log.filter(l => l.startsWith("mDNS: found desk"))).toEqual([
      "mDNS: found desk desk-c at 127.0.0.1:5003",
      "mDNS: found desk desk-c at 127.0.0.1:5004 (was 127.0.0.1:5003)",
    ])
  })

  describe("two enrolled desks, no --lan-peers", () => {
    let reg: RegistryRelay
    beforeAll(async () => {
      reg = await RegistryRelay.create()
      await reg.startRelay()
      await reg.addClinic("lan-mdns")
    }, 120_000)
    afterAll(async () => {
      await reg?.close()
    })

    const enrolled = (deskId: string): Promise<string> => reg.enrolLanDesk("lan-mdns", deskId)
    const clientOn = async (desk: RunningDesk, id: string): Promise<boolean> => (await desk.core.call("clients.get", { id })) !== null

    it("find each other by mDNS alone and sync clients both ways with the relay down", async () => {
      const mdnsSocket = await loopbackMdns()
      const [dirA, dirB] = [await enrolled("mdns-a"), await enrolled("mdns-b")]
      const logs: string[][] = [[], []]
      const start = async (dataDir: string, i: number): Promise<RunningDesk> => {
        const desk = await startDesk({ dataDir, port: 0, lan: { port: await freePort(), peers: [], mdns: true, mdnsSocket }, log: l => void logs[i]!.push(l) })
        closers.push(() => desk.close())
        return desk
      }
      const a = await start(dirA, 0)
      const b = await start(dirB, 1)
      const first = await a.core.call("clients.create", { name: "Сидорова Анна", phone: "+79161112233" })
      // both have the clinic from the relay (a desk that never reached it takes nothing from its LAN peers yet)
      await eventually("A's client at the relay and on B", async () => a.core.status().waitingRecords === 0 && (await clientOn(b, first.client.id)), 30_000)
      await reg.stopRelay()
      await eventually("A and B offline", () => !a.core.status().online && !b.core.status().online, 30_000)
      // all each knows of the other is what mDNS says
      await eventually("A and B connected over the LAN", () => a.core.status().lanPeers === 1 && b.core.status().lanPeers === 1, 30_000)
      expect(logs[0]!.some(l => /^mDNS: found desk mdns-b at 127\.0\.0\.1:\d+$/.test(l))).toBe(true)
      const second = await a.core.call("clients.create", { name: "Петрова Анна", phone: "+79161112234" })
      await eventually("A's new client on B, over the LAN", () => clientOn(b, second.client.id), 30_000)
      const fromB = await b.core.call("clients.create", { name: "Иванова Анна", phone: "+79161112235" })
      await eventually("B's client on A, over the LAN", () => clientOn(a, fromB.client.id), 30_000)
    })
  })
})
