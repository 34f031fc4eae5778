import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fillSlotToday } from "./harness/booking.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { fill, syncLabel, waitForSync, waitingRecords } from "./harness/page.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { screenshot } from "./screens.js"

/**
 * The seeds' front-desk day, through the browser: morning download, the relay goes away, staff
 * keep working (client + patient, appointment, invoice), the relay comes back, another desk sees it all.
 */
describe("front desk day (browser, relay, two desks)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  const clientName = "Смирнова Ольга Петровна"
  let invoiceNumber = ""
  const petName = "Барсик"

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    await stack.seed({ seed: "e2e-day", clients: 400, patients: 500, priceItems: 120, vets: 3, appointmentsPerDay: 12, days: 10, now: todayNoon() })
    await stack.startRelay()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("1. the morning download completes and the indicator turns green", async () => {
    const desk = await stack.startDesk("desk-a", "A", uiDir)
    page = await browser.newPage(desk.url)
    expect(await waitForSync(page, "online", 0)).toBe("Онлайн, все данные синхронизированы")
    await page.click('[data-testid="nav-clients"]')
    const someone = stack.clinic?.clients[7]
    await page.fill('[data-testid="client-search-input"]', someone?.name.split(" ")[0] ?? "")
    await page.waitForSelector('[data-testid="client-hit"]')
  })

  it("2. the relay goes away and the indicator turns yellow", async () => {
    await stack.stopRelay()
    expect(await waitForSync(page, "offline")).toMatch(/^Офлайн/)
  })

  it("3. staff create a client and patient, book, invoice; the counter shows waiting records", async () => {
    // client + patient in one form
    await page.click('[data-testid="nav-clients"]')
    await page.click('[data-testid="client-new"]')
    const form = '[data-testid="client-create"]'
    await page.click(`${form} [data-testid="client-create-save"]`)
    await page.waitForSelector(`${form} [data-testid="field-error-name"]`)
    await fill(page, form, "name", clientName)
    await fill(page, form, "phone", "+7 912 555-44-33")
    await fill(page, form, "petName", petName)
    await fill(page, form, "species", "кошка")
    await page.click(`${form} [data-testid="client-create-save"]`)
    await page.waitForSelector(`[data-testid="client-card"] >> text=${clientName}`)
    await screenshot(page, "offline-client-card")

    // appointment for that client
    await page.click('[data-testid="nav-appointments"]')
    await page.click('[data-testid="appt-new"]')
    await page.fill('[data-testid="picker-search-input"]', "Смирнова Ольга")
    await page.click(`[data-testid="client-hit"] >> text=${clientName}`)
    await page.waitForSelector(`[data-testid="picked-client"] >> text=${clientName}`)
    await fillSlotToday(page, stack.clinic?.vets[0] ?? "Врач", "21:00")
    await page.fill('[data-testid="booking-form"] [name="reason"]', "Вакцинация")
    await page.click('[data-testid="book-submit"]')
    await page.waitForSelector(`[data-testid="appointment"] >> text=${clientName}`)
    await screenshot(page, "offline-appointments")

    // invoice from the local price list
    await page.click('[data-testid="nav-invoices"]')
    await page.click('[data-testid="invoice-new"]')
    await page.fill('[data-testid="picker-search-input"]', clientName)
    await page.click(`[data-testid="client-hit"] >> text=${clientName}`)
    await page.waitForSelector('[data-testid="price-item"]')
    const items = page.locator('[data-testid="price-item"]')
    await items.nth(0).click()
    await items.nth(1).click()
    await page.fill('[data-testid="draft-qty"] >> nth=1', "2")
    await page.click('[data-testid="invoice-issue"]')
    await page.waitForSelector('[data-testid="invoice-doc"]')
    const number = (await page.textContent('[data-testid="invoice-number"]')) ?? ""
    // the heading reads "Счет № A-2612-00001": the number is what the other desk's list shows
    invoiceNumber = /A-\d{4}-\d+/.exec(number)?.[0] ?? ""
    expect(invoiceNumber, number).not.toBe("")
    await screenshot(page, "offline-invoice")

    await page.waitForFunction(() => Number(document.querySelector('[data-testid="sync-indicator"]')?.getAttribute("data-waiting")) >= 4)
    expect(await waitingRecords(page)).toBeGreaterThanOrEqual(4)
    expect(await syncLabel(page)).toMatch(/^Офлайн, \d+ (запись|записи|записей) ожида(ет|ют) синхронизации$/)
  })

  it("4. the relay comes back, the counter runs down to 0 and the indicator turns green", async () => {
    await stack.startRelay()
    expect(await waitForSync(page, "online", 0)).toBe("Онлайн, все данные синхронизированы")
  })

  it("5. a second desk shows the new records", async () => {
    const deskB = await stack.startDesk("desk-b", "B", uiDir)
    const pageB = await browser.newPage(deskB.url)
    await waitForSync(pageB, "online", 0)
    await pageB.click('[data-testid="nav-clients"]')
    await pageB.fill('[data-testid="client-search-input"]', petName)
    await pageB.click(`[data-testid="client-hit"] >> text=${clientName}`)
    await pageB.waitForSelector(`[data-testid="patient"] >> text=${petName}`)
    expect(await pageB.textContent('[data-testid="client-card"] [data-testid="client-phone"]')).toBe("+7 912 555-44-33")
    expect(await pageB.textContent(`[data-testid="patient"]:has-text("${petName}")`)).toContain("кошка")
    await pageB.click('[data-testid="nav-appointments"]')
    await pageB.waitForSelector(`[data-testid="appointment"] >> text=${clientName}`)
    const appointment = (await pageB.textContent(`[data-testid="appointment"]:has-text("${clientName}")`)) ?? ""
    expect(appointment).toContain("21:00")
    expect(appointment).toContain("Вакцинация")
    await pageB.click('[data-testid="nav-invoices"]')
    await pageB.waitForSelector(`[data-testid="invoice-row"] >> text=${clientName}`)
    expect(await pageB.textContent(`[data-testid="invoice-row"]:has-text("${clientName}")`)).toContain(invoiceNumber)
    await screenshot(pageB, "second-desk-invoices")
  })
})
