import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "@vetsync/test-kit"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { waitForSync } from "./harness/page.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { screenshot } from "./screens.js"

/**
 * Money at the desk by keyboard at 1024×768: find an invoice by its number, a partial card
 * payment, a cash payment with change, a refund, then void with a reason on another invoice.
 */
describe("payments, refunds and voids at the desk", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  let number = ""
  let other = ""
  let total = 0

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    const clinic = await stack.seed({
      seed: "e2e-money",
      clients: 30,
      patients: 40,
      priceItems: 20,
      vets: 2,
      appointmentsPerDay: 2,
      days: 2,
      now: todayNoon(),
    })
    await stack.startRelay()
    browser = await launchBrowser()
    const desk = await stack.startDesk("desk-money", "M", uiDir)
    page = await browser.newPage(desk.url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await waitForSync(page, "online", 0)
    const items = await desk.core.call("pricelist.search", { query: "", limit: 2 })
    const lines = items.map(i => ({ itemId: i.id, qtyMilli: 1000 }))
    const inv = await desk.core.call("invoices.create", { clientId: clinic.clients[2]!.id, vet: clinic.vets[0], lines })
    number = inv.number
    total = inv.total
    other = (await desk.core.call("invoices.create", { clientId: clinic.clients[4]!.id, lines })).number
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  const open = async (n: string): Promise<void> => {
    await page.click('[data-testid="nav-invoices"]')
    await page.focus('[data-testid="invoice-search"]')
    await page.keyboard.type(n)
    const row = page.locator('[data-testid="invoice-row"]', { hasText: n })
    await eventually(
      "the invoice found by its number",
      async () => (await row.count()) === 1 && (await page.locator('[data-testid="invoice-row"]').count()) === 1,
      30_000,
    )
    await row.focus()
    await page.keyboard.press("Enter")
    await page.waitForSelector(`[data-testid="invoice-number"]:has-text("${n}")`)
  }

  const pay = async (method: string, amount: string, tendered = ""): Promise<void> => {
    await page.focus('[data-testid="invoice-pay"]')
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="money-dialog"]')
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("money-method")
    await page.selectOption('[data-testid="money-method"]', method)
    await page.focus('[data-testid="money-amount"]')
    await page.keyboard.press("Control+A")
    await page.keyboard.type(amount)
    if (tendered) {
      await page.focus('[data-testid="money-tendered"]')
      await page.keyboard.type(tendered)
    }
  }

  it("takes a partial card payment and a cash payment with change, refunds, and voids with a reason", async () => {
    await open(number)
    await pay("card", "10")
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="invoice-doc"][data-status="partly_paid"]')
    const rest = ((total - 1000) / 100).toFixed(2).replace(".", ",")
    await pay("cash", rest, String(Math.ceil((total - 1000) / 100) + 100))
    const change = await page.textContent('[data-testid="money-change"]')
    expect(change).not.toBe("—")
    for (const lang of ["ru", "en"] as const) {
      await page.selectOption('[data-testid="lang"]', lang)
      for (const [width, height] of [
        [1024, 768],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height })
        await screenshot(page, `money-dialog-${lang}-${width}x${height}`)
      }
    }
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.setViewportSize({ width: 1024, height: 768 })
    await page.focus('[data-testid="money-confirm"]')
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="invoice-doc"][data-status="paid"]')
    expect(await page.locator('[data-testid="invoice-payment"]').count()).toBe(2)
    // a refund of 5 rubles
    await page.focus('[data-testid="invoice-refund"]')
    await page.keyboard.press("Enter")
    await page.focus('[data-testid="money-amount"]')
    await page.keyboard.press("Control+A")
    await page.keyboard.type("5")
    await page.focus('[data-testid="money-reason"]')
    await page.keyboard.type("вернули")
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="invoice-doc"][data-status="refunded"]')
    expect(await page.locator('[data-testid="invoice-payment"]').count()).toBe(3)
    for (const lang of ["ru", "en"] as const) {
      await page.selectOption('[data-testid="lang"]', lang)
      for (const [width, height] of [
        [1024, 768],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height })
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
        await screenshot(page, `money-invoice-${lang}-${width}x${height}`)
      }
    }
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.setViewportSize({ width: 1024, height: 768 })
    // void another invoice with a reason; Esc first closes the dialog and gives focus back
    await page.fill('[data-testid="invoice-search"]', "")
    await open(other)
    await page.focus('[data-testid="invoice-void"]')
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="money-dialog"]')
    await page.keyboard.press("Escape")
    expect(await page.locator('[data-testid="money-dialog"]').count()).toBe(0)
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("invoice-void")
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="money-reason"]')
    await page.keyboard.type("выписан по ошибке")
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="invoice-void-reason"]:has-text("выписан по ошибке")')
  })
})
