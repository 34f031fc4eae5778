import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { accountWithKey, localDate, zonedIso, type ClinicProfile } from "@vetsync/shared"
import { sampleProfile } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import { seedProfile } from "../core/fixtures.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { waitForSync } from "./harness/page.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { screenshot } from "./screens.js"

// this process, the desk in it and the browser it starts run on New York time; the clinic is in Vladivostok
process.env.TZ = "America/New_York"
const ZONE = "Asia/Vladivostok"

const PROFILE: ClinicProfile = {
  ...sampleProfile("e2e-print"),
  name: "Ветклиника «Айболит»",
  legalName: "ООО «Айболит Приморье»",
  address: "690091, г. Владивосток, ул. Светланская, д. 10",
  phone: "+7 423 222-33-44",
  bankName: "ПАО Сбербанк",
  bik: "044525225",
  account: accountWithKey("40702810000000012345", "044525225"),
  correspondentAccount: "30101810400000000225",
  timeZone: ZONE,
}

/**
 * The clinic profile in the desk's UI: the printed invoice's header carries the clinic's name,
 * legal name, address, phone, ИНН/КПП/ОГРН and bank details, in Russian and English, and dates and
 * times are the clinic's (Vladivostok) while the machine runs on New York time. Screenshots of the
 * print and of the day view at 1024×768 and 1920×1080 in both languages go to test/e2e/screenshots/.
 */
describe("the clinic on the printed invoice, and its time zone in the UI", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  let number = ""

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    const clinic = await stack.seed({
      seed: "e2e-print",
      clients: 40,
      patients: 50,
      priceItems: 30,
      vets: 2,
      appointmentsPerDay: 4,
      days: 3,
      now: todayNoon(),
    })
    await seedProfile(stack.relayDir, PROFILE, clinic.clinicId)
    await stack.startRelay()
    browser = await launchBrowser()
    const desk = await stack.startDesk("desk-print", "A", uiDir)
    page = await browser.newPage(desk.url)
    await waitForSync(page, "online", 0)
    const client = clinic.clients[3]!
    const items = await desk.core.call("pricelist.search", { query: "", limit: 3 })
    const invoice = await desk.core.call("invoices.create", {
      clientId: client.id,
      vet: clinic.vets[0],
      lines: items.map((i, n) => ({ itemId: i.id, qtyMilli: 1000 * (n + 1) })),
    })
    number = invoice.number
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("shows the clinic's today and its wall-clock times, not the machine's", async () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe("America/New_York")
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe("America/New_York")
    const today = localDate(Date.now(), ZONE)
    await page.click('[data-testid="nav-appointments"]')
    await page.waitForSelector(`[data-testid="day-date"]`)
    // the day picker shows the clinic's today as staff read dates (ДД.ММ.ГГГГ), not the browser's format
    expect(await page.inputValue('[data-testid="day-date"]')).toBe(today.split("-").reverse().join("."))
    const desk = stack.desks[0]!
    const client = stack.clinic!.clients[5]!
    const start = zonedIso(today, "08:30", ZONE)
    await desk.core.call("appointments.book", {
      clientId: client.id,
      newPatient: { name: "Тигра", species: "кошка" },
      vet: "Ли Мин",
      start,
      end: new Date(Date.parse(start) + 20 * 60_000).toISOString(),
    })
    const time = page.locator('[data-testid="appointment"]', { hasText: "Тигра" }).locator(".appt-time")
    // the profile may reach this new desk after the page opened: it is shown once it does
    await eventually(
      "the appointment at the clinic's 08:30–08:50",
      async () => (await time.textContent()) === "08:30–08:50",
      30_000,
      { describe: async () => `shown ${(await time.textContent()) ?? "nothing"}` },
    )
    expect(await page.locator('[data-testid="zone-default"]').count()).toBe(0)
    // the day view as staff see it, in both languages and at both sizes
    for (const lang of ["ru", "en"] as const) {
      await page.selectOption('[data-testid="lang"]', lang)
      for (const [width, height] of [
        [1024, 768],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height })
        expect(await time.textContent()).toBe("08:30–08:50")
        await screenshot(page, `day-view-${lang}-${width}x${height}`)
      }
    }
    await page.selectOption('[data-testid="lang"]', "ru")
  })

  it("prints the clinic's requisites on the invoice, in Russian and in English", async () => {
    await page.click('[data-testid="nav-invoices"]')
    await page.locator('[data-testid="invoice-row"]', { hasText: number }).click()
    await page.waitForSelector('[data-testid="invoice-doc"]')
    const header = page.locator('[data-testid="invoice-clinic"]')
    const text = await eventually(
      "the clinic's legal name in the invoice header",
      async () => {
        const t = (await header.textContent()) ?? ""
        return t.includes(PROFILE.legalName) && t
      },
      30_000,
      { describe: async () => (await header.textContent()) ?? "no header" },
    )
    for (const part of [
      PROFILE.name,
      PROFILE.address,
      PROFILE.phone,
      `ИНН ${PROFILE.inn}`,
      `КПП ${PROFILE.kpp}`,
      `ОГРН ${PROFILE.ogrn}`,
    ])
      expect(text).toContain(part)
    for (const part of [`БИК ${PROFILE.bik}`, `Р/с ${PROFILE.account}`, `К/с ${PROFILE.correspondentAccount}`])
      expect(await page.textContent('[data-testid="invoice-bank"]')).toContain(part)

    for (const lang of ["ru", "en"] as const) {
      await page.emulateMedia({ media: "screen" })
      await page.selectOption('[data-testid="lang"]', lang)
      await page.emulateMedia({ media: "print" })
      if (lang === "en")
        expect(await page.textContent('[data-testid="invoice-requisites"]')).toContain(`INN ${PROFILE.inn}`)
      for (const [width, height] of [
        [1024, 768],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height })
        await screenshot(page, `invoice-print-${lang}-${width}x${height}`)
      }
    }
    // and on screen, beside the invoice list
    await page.emulateMedia({ media: "screen" })
    for (const lang of ["en", "ru"] as const) {
      await page.selectOption('[data-testid="lang"]', lang)
      await page.setViewportSize({ width: 1024, height: 768 })
      await screenshot(page, `invoice-screen-${lang}-1024x768`)
    }
  })

  it("prints through the page's transport: the browser's own print dialog, and no PDF button of the desk's own", async () => {
    await page.locator('[data-testid="invoice-row"]', { hasText: number }).click()
    await page.waitForSelector('[data-testid="invoice-doc"]')
    // the dialog itself would block the page: count the calls instead
    await page.evaluate(() => {
      const w = window as unknown as { printed: number }
      w.printed = 0
      window.print = () => void w.printed++
    })
    await page.click('[data-testid="invoice-print"]')
    await eventually(
      "window.print called once",
      async () => (await page.evaluate(() => (window as unknown as { printed: number }).printed)) === 1,
      5_000,
    )
    expect(await page.locator('[data-testid="invoice-pdf"]').count()).toBe(0)
    expect(await page.locator('[data-testid="invoice-doc"]').count()).toBe(1)
  })
})
