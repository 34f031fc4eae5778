import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { LanNetwork } from "../../src/lan/LanNetwork.js"
import type { LanIdentity } from "../../src/lan/lanTls.js"
import { startDesk } from "../../src/web/desk.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { screens, shown } from "./harness/keyboard.js"
import { buildUi, removeUi } from "./harness/ui.js"

const CLINIC = "lan-indicator"

const identity = async (ca: ClinicCa, deskId: string): Promise<LanIdentity> => {
  const keys = generateDeskKeys()
  return { clinicId: CLINIC, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } }
}

/** another desk of the clinic on the LAN: its own LanNetwork on loopback and a Repo on it */
interface Peer {
  repo: Repo
  lan: LanNetwork
}

describe("the sync indicator tells how many desks this desk syncs with over the clinic's LAN (issue 15)", () => {
  let uiDir: string
  let browser: Browser
  const closers: (() => Promise<unknown>)[] = []
  beforeAll(async () => {
    uiDir = await buildUi()
    browser = await launchBrowser()
  }, 300_000)
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined)
    await browser?.close()
    await removeUi(uiDir)
  })

  const lanText = (page: Page): Promise<string> => page.locator('[data-testid="sync-lan"]').innerText()

  it("says nothing without LAN peers, 'в синхронизации с 2 столами' with two, '1 столом' with one, and nothing again with none", async () => {
    const ca = await createClinicCa(CLINIC)
    const ports = [await freePort(), await freePort(), await freePort()]
    const all = ports.map(p => `127.0.0.1:${p}`)
    const ours = await LanNetwork.start(await identity(ca, "desk-a"), { port: ports[0]!, host: "127.0.0.1", peers: all })
    closers.push(() => ours.close())
    const desk = await startDesk({
      dataDir: join(await mkdtemp(join(tmpdir(), "vetsync-e2e-lan-")), "desk"),
      clinicId: CLINIC,
      deskId: "desk-a",
      deskCode: "A",
      port: 0,
      uiDir,
      core: { network: ours.adapters },
    })
    closers.push(() => desk.close())
    const page = await browser.newPage(desk.url)
    await shown(page, '[data-testid="sync-label"]', "the sync indicator")
    // LAN on, no peer yet: the indicator says nothing about the LAN
    expect(await page.locator('[data-testid="sync-lan"]').count()).toBe(0)

    const peerOn = async (deskId: string, port: number): Promise<Peer> => {
      const lan = await LanNetwork.start(await identity(ca, deskId), { port, host: "127.0.0.1", peers: all })
      const repo = new Repo({ network: lan.adapters, peerId: `desk:${deskId}:${port}` as PeerId, isEphemeral: true, sharePolicy: async () => true })
      const peer = { repo, lan }
      closers.push(() => stop(peer))
      return peer
    }
    const stop = async (p: Peer): Promise<void> => {
      p.repo.networkSubsystem.disconnect()
      await p.lan.close()
    }
    const b = await peerOn("desk-b", ports[1]!)
    const c = await peerOn("desk-c", ports[2]!)
    await eventually("the desk to count two LAN peers", () => desk.core.status().lanPeers === 2, 20_000)
    // the indicator polls the status every 5 s
    await shown(page, '[data-testid="sync-lan"][data-peers="2"]', "two LAN peers on the indicator", 20_000)
    expect(await lanText(page)).toBe("в синхронизации с 2 столами по сети клиники")
    await screens(page, "sync-lan")
    await page.selectOption('[data-testid="lang"]', "en")
    await eventually("the LAN line in English", async () => (await lanText(page)) === "in sync with 2 desks on the LAN", 10_000)
    await page.selectOption('[data-testid="lang"]', "ru")

    await stop(c)
    await shown(page, '[data-testid="sync-lan"][data-peers="1"]', "one LAN peer on the indicator", 30_000)
    expect(await lanText(page)).toBe("в синхронизации с 1 столом по сети клиники")
    await page.selectOption('[data-testid="lang"]', "en")
    await eventually("one desk in English", async () => (await lanText(page)) === "in sync with 1 desk on the LAN", 10_000)
    await page.selectOption('[data-testid="lang"]', "ru")

    await stop(b)
    await eventually("the LAN line gone with the last peer", async () => (await page.locator('[data-testid="sync-lan"]').count()) === 0, 30_000)
  })
})
