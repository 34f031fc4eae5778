import { randomUUID } from "node:crypto"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "@vetsync/test-kit"
import { FiscalEmulator } from "../../src/core/fiscal/FiscalEmulator.js"
import type { RunningDesk } from "../../src/web/desk.js"
import { simpleSale } from "../fiscal/arbitraries.js"
import { AtolTestServer } from "../fiscal/AtolTestServer.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, screens, shown, tabTo } from "./harness/keyboard.js"
import { waitForSync } from "./harness/page.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

/**
 * The cash register at the desk, by keyboard alone: open the shift, see a receipt the register
 * refused (paper out) and retry it once paper is back (printed once), the X report, the day's cash
 * report and the Z report. The register is ATOL's web server (a test one on 127.0.0.1) with the
 * emulator behind it. Screenshots at 1024×768 and 1920×1080, Russian and English.
 */
describe("the cash register at the desk", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  let desk: RunningDesk
  let server: AtolTestServer
  const emulator = new FiscalEmulator()
  const sold = (): string[] => emulator.journal().flatMap(j => (j.type === "sell" || j.type === "refund" ? [j.key] : []))
  const press = async (testId: string): Promise<void> => {
    await tabTo(page, testId)
    await page.keyboard.press("Enter")
  }

  beforeAll(async () => {
    uiDir = await buildUi()
    server = new AtolTestServer(emulator)
    await server.start()
    stack = await Stack.create()
    await stack.seed({ seed: "e2e-cash", clients: 10, patients: 12, priceItems: 10, vets: 1, appointmentsPerDay: 1, days: 1, now: todayNoon() })
    await stack.startRelay()
    browser = await launchBrowser()
    desk = await stack.startDesk("desk-cash", "K", uiDir, { kind: "atol", url: server.url })
    page = await browser.newPage(desk.url)
    await waitForSync(page, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await server?.stop()
    await removeUi(uiDir)
  })

  it("opens the shift, retries a refused receipt once, prints X, the day's report and Z, by keyboard", async () => {
    await press("nav-cash")
    await shown(page, '[data-testid="register-status"]', "the register's status")
    // the view puts the keyboard on its first action
    expect(await focused(page)).toBe("shift-open")
    await page.keyboard.press("Enter")
    await eventually("the shift open", () => emulator.journal().some(j => j.type === "openShift"), 10_000)
    await shown(page, '[data-testid="register-status"][data-shift="open"]', "the open shift in the status")

    // the payments engineer's payments will call this; here the desk API stands in for them
    const paid = simpleSale(randomUUID(), 150_000)
    expect((await desk.core.call("fiscal.receipt", paid)).state).toBe("done")
    emulator.setPaper(false)
    const refused = { ...simpleSale(randomUUID(), 80_000), payments: [{ method: "card" as const, amount: 80_000 }] }
    expect((await desk.core.call("fiscal.receipt", refused)).state).toBe("failed")
    await shown(page, '[data-testid="receipt-failed"]', "the refused receipt in the list", 15_000)
    await screens(page, "cash-failed-receipt")

    emulator.setPaper(true)
    await press("receipt-retry")
    await shown(page, '[data-testid="receipts-none"]', "every receipt fiscalised", 15_000)
    // the refused receipt printed once, under the new key its retry was given
    expect(sold()).toHaveLength(2)
    expect(sold()[0]).toBe(paid.key)
    expect(new Set(sold()).size).toBe(2)

    await press("report-x")
    await eventually("the X report", () => emulator.journal().some(j => j.type === "reportX"), 10_000)
    await shown(page, '[data-testid="register-day-report"]', "the register's report of the day")
    await eventually(
      "the day's sales in the report",
      async () => (await page.textContent('[data-testid="register-sales-total"]'))?.replace(/\s/g, "").startsWith("2300") || undefined,
      15_000,
    )
    expect((await page.textContent('[data-testid="register-cash-in-drawer"]'))?.replace(/\s/g, "")).toMatch(/^1500/)
    await screens(page, "cash-day-report")

    await press("shift-close")
    await eventually("the Z report", () => emulator.journal().some(j => j.type === "closeShift"), 10_000)
    await shown(page, '[data-testid="fiscal-outcome"]:has-text("Z")', "the Z report's outcome")
    expect(emulator.journal().map(j => j.type)).toEqual(["openShift", "sell", "refused", "sell", "reportX", "closeShift"])
  })
})
