import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { startDesk, type RunningDesk } from "@vetsync/client"
import { launchBrowser, type Browser } from "@vetsync/client/e2e-harness/browser.js"
import { focused, shown } from "@vetsync/client/e2e-harness/keyboard.js"
import { TestDatabase } from "@vetsync/db/testing"
import { enrolDesk } from "@vetsync/shared"
import { APP_VERSION } from "@vetsync/shared/net"
import { clinicAdd, deskAdd, deskStatusList, saveDeskReport } from "@vetsync/sync-server"
import { eventually, freePort, productEnv, SupervisedProcess } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const REPO = fileURLToPath(new URL("../..", import.meta.url))
const SCREENSHOTS = join(REPO, "test/e2e/screenshots")
const TOKEN = "adm-7Yk2pQ9vR4sT1wX8zL3mN6"
const HOUR = 3600_000

/**
 * Issue 14 point 4: an IT administrator opens the relay's admin page in a browser, signs in with
 * the admin token by keyboard, and sees the clinic with one desk online (a real desk, reporting
 * through the relay) and one offline for three hours with records waiting (its last report, kept
 * in the registry), flagged; then signs out. The relay runs as `vetsync server` does, configured
 * from the environment (VETSYNC_ADMIN_TOKEN). Then in Russian (Accept-Language, the switch link),
 * and still signed in after the relay restarts (the session cookie is signed, not remembered).
 */
describe("the relay's admin page in a browser", () => {
  let db: TestDatabase
  let relay: SupervisedProcess
  let relayUrl = ""
  let desk: RunningDesk | undefined
  let browser: Browser
  let page: Page
  let onlineDesk = ""
  let offlineDesk = ""
  const others: SupervisedProcess[] = []

  beforeAll(async () => {
    db = await TestDatabase.start({ prefix: "adminpage-e2e" })
    await clinicAdd(db.pool, "clinic-1", "Ветклиника «Айболит»")
    const port = await freePort()
    relayUrl = `http://127.0.0.1:${port}`
    relay = new SupervisedProcess({
      name: "relay",
      command: process.execPath,
      args: [join(REPO, "cli/vetsync.mjs"), "server"],
      env: productEnv({
        DATABASE_URL: db.url,
        PORT: String(port),
        VETSYNC_DATA_DIR: join(db.dir, "relay"),
        VETSYNC_ADMIN_TOKEN: TOKEN,
      }),
      cwd: db.dir,
      logFile: join(db.dir, "relay.log"),
    })
    relay.start()
    await eventually(
      "the relay to be ready",
      async () => (await fetch(`${relayUrl}/ready`).catch(() => null))?.status === 200,
      90_000,
    )

    // the front desk: enrolled, running, reporting
    const a = await deskAdd(db.pool, { clinicId: "clinic-1", name: "Reception" })
    onlineDesk = a.deskId
    const dataDir = join(db.dir, "desk-a")
    await enrolDesk(`ws://127.0.0.1:${port}/sync`, a.enrolmentToken, dataDir)
    desk = await startDesk({ dataDir, log: () => undefined })
    await eventually(
      "the front desk's report",
      async () => (await deskStatusList(db.pool, "clinic-1")).find(d => d.deskId === onlineDesk && d.online),
      60_000,
    )

    // the surgery's desk: last heard from three hours ago, 14 records waiting since before that
    const b = await deskAdd(db.pool, { clinicId: "clinic-1", name: "Surgery" })
    offlineDesk = b.deskId
    await enrolDesk(`ws://127.0.0.1:${port}/sync`, b.enrolmentToken, join(db.dir, "desk-b"))
    const then = new Date(Date.now() - 3 * HOUR)
    const at = (ms: number): string => new Date(then.getTime() - ms).toISOString()
    await saveDeskReport(
      db.pool,
      { deskId: b.deskId, clinicId: "clinic-1" },
      {
        waiting: 14,
        oldestWaitingAt: at(40 * 60_000),
        lastSyncInAt: at(5_000),
        lastSyncOutAt: at(41 * 60_000),
        appVersion: APP_VERSION,
        schemaVersion: 1,
        sentAt: then.toISOString(),
      },
      then,
      -1200,
    )
    await db.pool.query("UPDATE desk_credentials SET last_seen_at = $1 WHERE desk_id = $2", [then, b.deskId])

    browser = await launchBrowser([], "en-US")
  })

  afterAll(async () => {
    await browser?.close()
    await desk?.close()
    await Promise.all(others.map(p => p.stop()))
    await relay?.stop()
    await db?.stop()
  })

  it("signs in with the admin token by keyboard, sees the clinic with one desk offline and flagged, signs out", async () => {
    page = await browser.newPage(`${relayUrl}/admin`)
    await page.setViewportSize({ width: 1024, height: 768 })
    await shown(page, "form[action^='/admin/login']", "the sign-in form")
    expect(await page.textContent("body")).not.toContain("clinic-1")
    expect(await focused(page)).toBe("token")
    await page.keyboard.type("not-the-token-0123456789")
    await page.keyboard.press("Enter")
    await shown(page, "[role=alert]", "the wrong token's message")
    expect(await page.textContent("[role=alert]")).toContain("That is not the admin token.")
    expect(await focused(page)).toBe("token")
    await page.keyboard.type(TOKEN)
    await page.keyboard.press("Enter")

    await shown(page, "section[data-clinic='clinic-1']", "the clinic's desks")
    const summary = page.locator("tr[data-clinic='clinic-1'] td")
    expect(await summary.allTextContents()).toEqual([
      "Ветклиника «Айболит» clinic-1",
      "2",
      "1",
      "1",
      "0",
      "14",
      expect.stringMatching(/UTC$/),
      "1",
    ])
    const online = page.locator(`tr[data-desk='${onlineDesk}']`)
    expect(await online.textContent()).toContain("online")
    expect(await online.getAttribute("class")).toBeNull()
    const offline = page.locator(`tr[data-desk='${offlineDesk}']`)
    expect(await offline.getAttribute("class")).toBe("flagged")
    const text = (await offline.textContent()) ?? ""
    expect(text).toContain("offline")
    expect(text).toMatch(/offline for 3 h/)
    expect(text).toMatch(/14 records waiting for 3 h 4\d min/)
    expect(text).toContain("Surgery")

    // readable at 1024×768 without sideways scrolling; screenshots to look at
    await mkdir(SCREENSHOTS, { recursive: true })
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height })
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      ).toBe(true)
      await page.screenshot({ path: join(SCREENSHOTS, `admin-en-${width}.png`) })
    }
    expect(await page.getAttribute("html", "lang")).toBe("en")

    // the session cookie is the browser's only, never the script's
    expect(await page.evaluate(() => document.cookie)).toBe("")
    const cookies = await browser.context.cookies(relayUrl)
    expect(cookies.map(c => [c.name, c.httpOnly, c.sameSite])).toEqual([["vetsync_admin", true, "Strict"]])

    // sign out by keyboard: Tab to the button, Enter
    for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement?.textContent)) !== "Sign out"; i++)
      await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await shown(page, "form[action^='/admin/login']", "the sign-in form after signing out")
    await page.reload()
    await shown(page, "form[action^='/admin/login']", "the sign-in form after reloading")
    expect(await page.textContent("body")).not.toContain("clinic-1")
  })

  it("speaks Russian: from Accept-Language, or its switch link (by keyboard), every string of the page", async () => {
    // a Russian browser's first request: the sign-in form in Russian, <html lang="ru">
    const asked = await fetch(`${relayUrl}/admin`, { headers: { "accept-language": "ru-RU,ru;q=0.9,en;q=0.8" } })
    expect(asked.status).toBe(401)
    const form = await asked.text()
    expect(form).toContain('<html lang="ru">')
    expect(form).toContain("Токен администратора")
    // ?lang wins over the header
    const en = await (await fetch(`${relayUrl}/admin?lang=en`, { headers: { "accept-language": "ru" } })).text()
    expect(en).toContain('<html lang="en">')

    // this browser says en-US: the switch link takes it to Russian
    page = await browser.newPage(`${relayUrl}/admin`)
    await page.setViewportSize({ width: 1024, height: 768 })
    await shown(page, "form[action^='/admin/login']", "the sign-in form")
    for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement?.textContent)) !== "Русский"; i++)
      await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await shown(page, "html[lang='ru'] form[action='/admin/login?lang=ru']", "the Russian sign-in form")
    expect(await page.textContent("label[for=token]")).toBe("Токен администратора")
    expect(await focused(page)).toBe("token")
    await page.keyboard.type(TOKEN)
    await page.keyboard.press("Enter")

    await shown(page, "html[lang='ru'] section[data-clinic='clinic-1']", "the clinic's desks in Russian")
    expect(await page.textContent("h1")).toBe("Ретранслятор VetSync: клиники и рабочие места")
    expect(await page.locator("section[aria-labelledby=clinics] th").allTextContents()).toEqual([
      "Клиника",
      "Места",
      "В сети",
      "Не в сети",
      "Ожидают",
      "Записей ждёт",
      "Ждёт дольше всех",
      "Внимание",
    ])
    expect(await page.locator(`tr[data-desk='${onlineDesk}']`).textContent()).toContain("в сети")
    const text = (await page.locator(`tr[data-desk='${offlineDesk}']`).textContent()) ?? ""
    expect(text).toMatch(/не на связи 3 ч/)
    expect(text).toMatch(/14 записей ждут отправки 3 ч 4\d мин/)
    expect(text).toMatch(/назад/)
    // no English left in the page's own words (names, ids, times and versions are data)
    const body = (await page.textContent("body")) ?? ""
    for (const english of ["Desk", "Waiting", "offline", "online", "Sign out", "never", "ago", "records", "Clinics"])
      expect(body, english).not.toContain(english)
    expect(await page.locator("nav.lang a").allTextContents()).toEqual(["English"])

    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height })
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      ).toBe(true)
      await page.screenshot({ path: join(SCREENSHOTS, `admin-ru-${width}.png`) })
    }

    // back to English by the link; still signed in
    await page.click("nav.lang a")
    await shown(page, "html[lang='en'] section[data-clinic='clinic-1']", "the clinic's desks in English again")

    // the session is the cookie's, not the relay's memory: a restarted relay still knows the browser
    await relay.stop()
    relay.start()
    await eventually(
      "the restarted relay to be ready",
      async () => (await fetch(`${relayUrl}/ready`).catch(() => null))?.status === 200,
      90_000,
    )
    await page.reload()
    await shown(page, "section[data-clinic='clinic-1']", "the clinic's desks after the relay's restart, still signed in")
  })

  it("the same cookie opens the page on another relay with the same token, and on none with another token", async () => {
    // two more relays on this registry (cookies are the host's, whatever the port: one address, many relays)
    const other = async (name: string, token: string): Promise<{ url: string; process: SupervisedProcess }> => {
      const port = await freePort()
      const process_ = new SupervisedProcess({
        name,
        command: process.execPath,
        args: [join(REPO, "cli/vetsync.mjs"), "server"],
        env: productEnv({
          DATABASE_URL: db.url,
          PORT: String(port),
          VETSYNC_DATA_DIR: join(db.dir, name),
          VETSYNC_RELAY_NAME: name,
          VETSYNC_ADMIN_TOKEN: token,
        }),
        cwd: db.dir,
        logFile: join(db.dir, `${name}.log`),
      })
      process_.start()
      others.push(process_)
      const url = `http://127.0.0.1:${port}`
      await eventually(`${name} to be ready`, async () => (await fetch(`${url}/ready`).catch(() => null))?.status === 200, 90_000)
      return { url, process: process_ }
    }
    const [b, c] = await Promise.all([other("relay-b", TOKEN), other("relay-c", `${TOKEN}-rotated`)])
    await page.goto(`${b.url}/admin`)
    await shown(page, "section[data-clinic='clinic-1']", "relay B's page, signed in by relay A's cookie")
    await page.goto(`${c.url}/admin`)
    await shown(page, "form[action^='/admin/login']", "relay C's sign-in form: another token refuses the cookie")
    expect(await page.textContent("body")).not.toContain("clinic-1")
  })
})
