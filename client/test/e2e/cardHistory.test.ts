import type { GeneratedClinic } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, retype, screens, shown, syncState, tabTo } from "./harness/keyboard.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

/** Presses Tab until the element with this test id or name has the focus (at most `max` times). */
const tabFar = async (page: Page, target: string, max = 60): Promise<void> => {
  for (let i = 0; i < max && (await focused(page)) !== target; i++) await page.keyboard.press("Tab")
  expect(await focused(page)).toBe(target)
}

/**
 * The cards with history (issue 11, point 5), in Chromium by keyboard at 1024×768: the client's
 * card lists its visits and invoices, newest first; staff change the phone, and the card's history
 * says who (this desk) changed it from what to what, and when.
 */
describe("the client card's visits, invoices and history (browser, relay, one desk)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string | undefined
  let page: Page
  let clinic: GeneratedClinic
  let client: { id: string; name: string; phone: string }

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    clinic = await stack.seed({ seed: "e2e-card-history", clients: 60, patients: 80, priceItems: 20, vets: 2, appointmentsPerDay: 6, days: 20, now: todayNoon() })
    // a client with both visits and invoices, and a name the search finds alone
    const withBoth = clinic.clients.find(
      c => clinic.invoices.some(i => i.clientId === c.id) && clinic.appointments.filter(a => a.clientId === c.id).length >= 2
        && clinic.clients.filter(o => o.name === c.name).length === 1,
    )
    if (!withBoth) throw new Error("the seed has no client with visits and invoices")
    client = { id: withBoth.id, name: withBoth.name, phone: withBoth.phone }
    await stack.startRelay()
    browser = await launchBrowser()
    page = await browser.newPage((await stack.startDesk("front-1", "F1", uiDir)).url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await syncState(page, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("shows the client's visits and invoices, newest first, each openable", async () => {
    await tabTo(page, "nav-clients")
    await page.keyboard.press("Enter")
    await eventually("the search box to have the focus", async () => (await focused(page)) === "client-search-input" || undefined, 10_000)
    await page.keyboard.type(client.name)
    await shown(page, '[data-testid="client-hit"]', "a hit for the client")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="client-card"][data-client-id="${client.id}"] [data-testid="card-visit"]`, "the card's visits")
    const visits = clinic.appointments.filter(a => a.clientId === client.id).sort((x, y) => y.start.localeCompare(x.start))
    const invoices = clinic.invoices.filter(i => i.clientId === client.id).sort((x, y) => y.issuedAt.localeCompare(x.issuedAt))
    const shownVisits = await page.locator('[data-testid="card-activity"][data-owner="' + client.id + '"] [data-testid="card-visit"]').evaluateAll(els => els.map(e => e.getAttribute("data-appointment-id")))
    expect(shownVisits).toEqual(visits.slice(0, 5).map(a => a.id))
    await shown(page, '[data-testid="card-invoice"]', "the card's invoices")
    const shownInvoices = await page.locator('[data-testid="card-activity"][data-owner="' + client.id + '"] [data-testid="card-invoice"]').evaluateAll(els => els.map(e => e.getAttribute("data-invoice-id")))
    expect(shownInvoices).toEqual(invoices.slice(0, 5).map(i => i.id))
    // the server's import is the first entry of the history
    await shown(page, '[data-testid="history-entry"][data-source="server"]', "the import in the history")
  })

  it("says who changed the phone, from what to what, and when", async () => {
    const before = Date.now()
    await tabFar(page, "client-edit")
    await page.keyboard.press("Enter")
    await eventually("the form to take the focus", async () => (await focused(page)) === "name" || undefined, 10_000)
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("phone")
    await retype(page, "8 912 345 67 89")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="client-phone"] >> text=+7 912 345-67-89', "the new phone on the card")
    await shown(page, '[data-testid="history-entry"][data-desk="front-1"] [data-testid="history-field"][data-field="phone"]', "the phone change in the history")
    const entry = page.locator('[data-testid="history-entry"][data-desk="front-1"]').first()
    expect(await entry.locator('[data-testid="history-desk"]').textContent()).toBe("front-1")
    expect(await entry.locator('[data-field="phone"] [data-testid="history-to"]').textContent()).toBe("+7 912 345-67-89")
    const from = (await entry.locator('[data-field="phone"] [data-testid="history-from"]').textContent()) ?? ""
    expect(from.replace(/\D/g, "").slice(-10)).toBe(client.phone.replace(/\D/g, "").slice(-10))
    const at = Date.parse((await entry.locator('[data-testid="history-at"]').getAttribute("datetime")) ?? "")
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(at).toBeLessThanOrEqual(Date.now())
    // the time as staff read it: ДД.ММ.ГГГГ ЧЧ:ММ
    expect(await entry.locator('[data-testid="history-at"]').textContent()).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/)
    // the newest change is first
    expect(await page.locator('[data-testid="history-entry"]').first().getAttribute("data-desk")).toBe("front-1")
    // no sideways scroll at 1024×768
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    await page.locator('[data-testid="history"]').scrollIntoViewIfNeeded()
    await screens(page, "card-history")
  })
})
