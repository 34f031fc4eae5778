import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { seedScaleOptions } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { screenshot } from "./screens.js"

const LONG = 1_200_000

/** Screenshots of every section at the seed-scale clinic, for a person to look at. */
describe("screens at seed scale", () => {
  let stack: Stack
  let uiDir: string | undefined
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const t0 = performance.now()
    const log = (what: string): void => console.log(`[screens] ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    uiDir = await buildUi()
    stack = await Stack.create()
    const clinic = await stack.seed(seedScaleOptions())
    log(`seeded ${clinic.clients.length} clients`)
    await stack.startRelay()
    browser = await launchBrowser()
    const desk = await stack.startDesk("desk-a", "A", uiDir)
    page = await browser.newPage(desk.url)
    log("desk started")
    await page.waitForSelector('[data-testid="sync-indicator"][data-state]:not([data-state="unknown"])')
    await screenshot(page, "00-first-download")
    // usable: a search over the whole clinic answers
    await page.click('[data-testid="nav-clients"]')
    await page.fill('[data-testid="client-search-input"]', "Иван")
    await page.waitForSelector('[data-testid="client-hit"]', { timeout: LONG })
    log("search answers")
  }, LONG)
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("clients: search as you type and a client card", async () => {
    const surname = stack.clinic?.clients[1234 % (stack.clinic?.clients.length ?? 1)]?.name.split(" ")[0] ?? "Иванов"
    await page.fill('[data-testid="client-search-input"]', surname)
    await page.waitForSelector(`[data-testid="client-search-hits"][data-query="${surname}"] [data-testid="client-hit"]`)
    const names = await page.locator('[data-testid="client-hit"] .hit-name').allTextContents()
    expect(names.some(n => n.includes(surname)), `a hit for ${surname} among ${names.join(", ")}`).toBe(true)
    await page.locator('[data-testid="client-hit"]').first().click()
    await page.waitForSelector('[data-testid="client-card"]')
    expect(await page.textContent('[data-testid="client-card"] [data-testid="client-name"]')).toBe(names[0])
    await screenshot(page, "10-clients")
    await page.click('[data-testid="client-new"]')
    await page.click('[data-testid="client-create-save"]')
    await page.waitForSelector('[data-testid="field-error-name"]')
    expect(await page.textContent('[data-testid="field-error-name"]')).toBe("Обязательное поле")
    await screenshot(page, "11-client-form-validation")
  })

  it("appointments: today's day view per vet and the booking form", async () => {
    await page.click('[data-testid="nav-appointments"]')
    await page.waitForSelector('[data-testid="appointment"]', { timeout: LONG })
    // one column per vet of the roster (every vet of the clinic, booked today or not)
    const vets = await page.locator('[data-testid="day-view"] [data-testid="grid-column"]').allTextContents()
    expect([...vets].sort()).toEqual([...(stack.clinic?.vets ?? [])].sort())
    await screenshot(page, "20-appointments")
    await page.click('[data-testid="appt-new"]')
    await page.click('[data-testid="book-new"]')
    expect(await page.isChecked('[data-testid="book-new"]')).toBe(true)
    expect(await page.locator('[data-testid="booking-form"] [name="name"], [data-testid="booking-form"] [name="petName"]').count()).toBe(2)
    await screenshot(page, "21-booking-new-client")
  })

  it("invoices: list, builder and the printable document", async () => {
    await page.click('[data-testid="nav-invoices"]')
    await page.waitForSelector('[data-testid="invoice-row"]', { timeout: LONG })
    await page.locator('[data-testid="invoice-row"]').first().click()
    await page.waitForSelector('[data-testid="invoice-doc"]')
    await screenshot(page, "30-invoices")
    await page.emulateMedia({ media: "print" })
    await screenshot(page, "31-invoice-print")
    await page.emulateMedia({ media: "screen" })
    await page.click('[data-testid="invoice-new"]')
    await page.fill('[data-testid="price-search"]', "приём")
    await page.waitForSelector('[data-testid="price-item"]')
    await page.locator('[data-testid="price-item"]').first().click()
    await screenshot(page, "32-invoice-builder")
    expect(await page.locator('[data-testid="draft-line"]').count()).toBe(1)
  })

  it("English is selectable", async () => {
    await page.selectOption('[data-testid="lang"]', "en")
    await page.click('[data-testid="nav-clients"]')
    await page.waitForSelector('[data-testid="nav-clients"] >> text=Clients')
    expect(await page.textContent('[data-testid="nav-invoices"]')).toBe("Invoices")
    await screenshot(page, "40-english")
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.waitForSelector('[data-testid="nav-clients"] >> text=Клиенты')
    expect(await page.textContent('[data-testid="nav-invoices"]')).toBe("Счета")
  })
})
