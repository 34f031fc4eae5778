import { join } from "node:path"
import { cbor } from "@automerge/automerge-repo"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocketServer } from "ws"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { screens, shown } from "./harness/keyboard.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"

const REASON = "invalid sync message: entry 0: chunk 0: bad checksum (change)"

/** A relay that answers the join, then refuses the first document message as the real one does, or never acknowledges anything. */
const fakeRelay = async (mode: "refuse" | "stall"): Promise<{ url: string; close: () => Promise<void> }> => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await new Promise<void>(r => wss.once("listening", () => r()))
  wss.on("connection", ws =>
    ws.on("message", (data: Buffer) => {
      const m = cbor.decode<{ type: string; senderId: string }>(new Uint8Array(data))
      if (m.type === "join")
        ws.send(
          cbor.encode({
            type: "peer",
            senderId: "relay:main",
            targetId: m.senderId,
            peerMetadata: {},
            selectedProtocolVersion: "1",
          }),
        )
      else if (mode === "refuse") {
        ws.send(cbor.encode({ type: "error", senderId: "relay:main", targetId: m.senderId, message: REASON }))
        ws.close(1008, "refused")
      }
    }),
  )
  const { port } = wss.address() as { port: number }
  return {
    url: `ws://127.0.0.1:${port}/sync`,
    close: () => {
      for (const c of wss.clients) c.terminate()
      return new Promise(r => wss.close(() => r()))
    },
  }
}

describe("the sync indicator says what is wrong, and what sync now did", () => {
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

  const deskAgainst = async (server: string, name: string, skew?: { ms: number }): Promise<RunningDesk> => {
    const desk = await startDesk({
      dataDir: join(await mkdtemp(join(tmpdir(), `vetsync-e2e-${name}-`)), "desk"),
      server,
      clinicId: "sync-problems",
      deskId: name,
      deskCode: "P",
      port: 0,
      uiDir,
      ...(skew ? { now: () => new Date(Date.now() + skew.ms) } : {}),
    })
    closers.push(() => desk.close())
    return desk
  }

  const text = (page: Page, id: string): Promise<string> => page.locator(`[data-testid="${id}"]`).innerText()

  it("red with the relay's reason and the next attempt when the relay refuses this desk; sync now says it is connecting", async () => {
    const relay = await fakeRelay("refuse")
    closers.push(relay.close)
    const desk = await deskAgainst(relay.url, "refused")
    await desk.core.call("clients.create", { name: "Иванова Мария", phone: "+79161234567" })
    const page = await browser.newPage(desk.url)
    await shown(page, '[data-testid="sync-indicator"][data-state="error"]', "the indicator in red")
    expect(await text(page, "sync-label")).toBe("Сервер отклонил синхронизацию этого компьютера")
    const reason = await text(page, "sync-reason")
    expect(reason).toContain(`Причина: ${REASON}`)
    expect(reason).toMatch(/Следующая попытка в \d\d:\d\d:\d\d/)
    // by keyboard: Tab to "sync now", Enter; the answer is shown next to the indicator
    await page.locator('[data-testid="sync-now"]').focus()
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="sync-now-result"]', "what sync now did")
    expect(await text(page, "sync-now-result")).toBe("Подключаемся к серверу…")
    await screens(page, "sync-refused")
    await page.selectOption('[data-testid="lang"]', "en")
    await eventually(
      "the label in English",
      async () => (await text(page, "sync-label")) === "The server refused to sync this desk",
      10_000,
    )
    // while "sync now" connects there is no next attempt yet; the refusal brings one back
    await eventually(
      "the reason and the next attempt in English",
      async () => /Reason: .*Next attempt at/.test(await text(page, "sync-reason")),
      20_000,
    )
    await page.selectOption('[data-testid="lang"]', "ru")
  })

  it("red, not yellow or blue, when online with records waiting and nothing acknowledged for 30 s", async () => {
    const relay = await fakeRelay("stall")
    closers.push(relay.close)
    const skew = { ms: 0 }
    const desk = await deskAgainst(relay.url, "stalled", skew)
    await eventually("the desk to be online", () => desk.core.sync.online, 30_000)
    await desk.core.call("clients.create", { name: "Петров Пётр", phone: "+79167654321" })
    const page = await browser.newPage(desk.url)
    await shown(page, '[data-testid="sync-indicator"][data-state="syncing"]', "the indicator syncing (blue)")
    skew.ms = 45_000
    // the indicator polls the status every 5 s
    await shown(
      page,
      '[data-testid="sync-indicator"][data-state="error"]',
      "the indicator red after 30 s without progress",
      30_000,
    )
    expect(await text(page, "sync-label")).toMatch(/^Связь с сервером есть, но записи не подтверждаются уже \d+ с$/)
    await page.locator('[data-testid="sync-now"]').focus()
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="sync-now-result"][data-outcome="sending"]', "sync now resending")
    expect(await text(page, "sync-now-result")).toBe("Отправляем записи на сервер повторно (1)")
    await screens(page, "sync-stalled")
  })
})
