import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fillSlotToday } from "./harness/booking.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { waitForSync } from "./harness/page.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { screenshot } from "./screens.js"

const openClient = async (page: Page, name: string): Promise<void> => {
  await page.click('[data-testid="nav-clients"]')
  await page.fill('[data-testid="client-search-input"]', name)
  await page.click(`[data-testid="client-hit"] >> text=${name}`)
  await page.waitForSelector(`[data-testid="client-card"] [data-testid="client-name"] >> text=${name}`)
}

const editPhone = async (page: Page, phone: string): Promise<void> => {
  await page.click('[data-testid="client-edit"]')
  await page.fill('[data-testid="client-form"] [name="phone"]', phone)
  await page.click('[data-testid="client-save"]')
  await page.waitForSelector(`[data-testid="client-phone"] >> text=${phone}`)
}

const book = async (page: Page, clientName: string, vet: string, time: string): Promise<void> => {
  await page.click('[data-testid="nav-appointments"]')
  await page.click('[data-testid="appt-new"]')
  await page.fill('[data-testid="picker-search-input"]', clientName)
  await page.click(`[data-testid="client-hit"] >> text=${clientName}`)
  await page.waitForSelector(`[data-testid="picked-client"] >> text=${clientName}`)
  await fillSlotToday(page, vet, time)
  await page.click('[data-testid="book-submit"]')
  await page.waitForSelector(`[data-testid="appointment"]:has-text("${clientName}")`)
}

/** Two desks change the same client's phone while apart: both see the notice, staff choose, the choice sticks. */
describe("concurrent edit of a client's phone (browser, relay, two desks)", () => {
  let stack: Stack
  let uiDir: string | undefined
  let browser: Browser
  let a: Page
  let b: Page
  let name = ""
  let otherName = ""
  let ids: string[] = []
  let vet = ""

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    const clinic = await stack.seed({ seed: "e2e-conflict", clients: 60, patients: 80, priceItems: 20, vets: 2, appointmentsPerDay: 4, days: 3, now: todayNoon() })
    await stack.startRelay()
    const client = clinic.clients[3]
    name = client?.name ?? ""
    otherName = clinic.clients[5]?.name ?? ""
    vet = clinic.vets[0] ?? ""
    ids = [clinic.clients[3]?.id ?? "", clinic.clients[5]?.id ?? ""]
    browser = await launchBrowser()
    a = await browser.newPage((await stack.startDesk("desk-a", "A", uiDir)).url)
    b = await browser.newPage((await stack.startDesk("desk-b", "B", uiDir)).url)
    await waitForSync(a, "online", 0)
    await waitForSync(b, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("shows the concurrent-edit notice on both desks once they meet, and the choice sticks", async () => {
    await openClient(a, name)
    await openClient(b, name)
    await stack.stopRelay()
    await waitForSync(a, "offline")
    await waitForSync(b, "offline")
    await editPhone(a, "+7 900 111-11-11")
    await editPhone(b, "+7 900 222-22-22")
    // and each books the same vet at overlapping times
    await book(a, name, vet, "21:00")
    await book(b, otherName, vet, "21:15")
    await openClient(a, name)
    await openClient(b, name)

    await stack.startRelay()
    await waitForSync(a, "online", 0)
    await waitForSync(b, "online", 0)
    for (const page of [a, b]) await page.waitForSelector('[data-testid="client-card"] [data-testid="conflict"][data-field="phone"]')
    const kept = (await a.textContent('[data-testid="conflict-kept"]')) ?? ""
    const other = (await a.textContent('[data-testid="conflict-other"]')) ?? ""
    expect([kept, other].sort()).toEqual(["+7 900 111-11-11", "+7 900 222-22-22"])
    // each value names the desk that wrote it (and when)
    await a.waitForSelector('[data-testid="conflict-kept-by"]')
    const keptBy = await a.getAttribute('[data-testid="conflict-kept-by"]', "data-desk")
    const otherBy = await a.getAttribute('[data-testid="conflict-other-by"]', "data-desk")
    expect({ [kept]: keptBy, [other]: otherBy }).toEqual({ "+7 900 111-11-11": "desk-a", "+7 900 222-22-22": "desk-b" })
    expect(await a.textContent('[data-testid="conflict-kept-by"]')).toMatch(/^desk-[ab], \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/)
    await screenshot(a, "conflict-notice")

    // staff at desk A choose the value that was not kept
    await a.click('[data-testid="conflict-choose-other"]')
    for (const page of [a, b]) {
      await page.waitForSelector(`[data-testid="client-phone"] >> text=${other}`)
      await page.waitForSelector('[data-testid="client-card"] [data-testid="conflict"]', { state: "detached" })
    }
    await waitForSync(a, "online", 0)
    // the choice sticks: after reload, on both desks
    for (const page of [a, b]) {
      await page.reload()
      await openClient(page, name)
      expect(await page.textContent('[data-testid="client-phone"]')).toBe(other)
      expect(await page.locator('[data-testid="client-card"] [data-testid="conflict"]').count()).toBe(0)
    }
  })

  it("flags the overlapping bookings made apart on both desks", async () => {
    for (const page of [a, b]) {
      await page.click('[data-testid="nav-appointments"]')
      for (const id of ids) await page.waitForSelector(`[data-testid="appointment"][data-client-id="${id}"] [data-testid="overlap"]`)
      // each booking's flag names the other booking's client
      const flag = (id: string): Promise<string | null> =>
        page.textContent(`[data-testid="appointment"][data-client-id="${id}"] [data-testid="overlap"]`)
      expect(await flag(ids[0] ?? "")).toContain(otherName)
      expect(await flag(ids[1] ?? "")).toContain(name)
    }
    await screenshot(b, "overlap-flag")
  })
})
