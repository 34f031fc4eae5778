import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { invoiceState, localDate, type ClinicProfile, type InvoiceState } from "@vetsync/shared"
import { sampleProfile, type GeneratedClinic } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import { seedProfile } from "../core/fixtures.js"
import { formatDate } from "../../src/ui/forms/dates.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, retype, screens, shown, tabTo } from "./harness/keyboard.js"
import { waitForSync } from "./harness/page.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import type { RunningDesk } from "../../src/web/desk.js"
import { buildUi, removeUi } from "./harness/ui.js"
import { screenshot } from "./screens.js"

const PROFILE: ClinicProfile = { ...sampleProfile("e2e-invsearch"), name: "Ветклиника «Фильтр»", legalName: "ООО «Фильтр и Возврат»" }
const CLIENT = "Фильтрова Алевтина Ивановна"

/**
 * The invoice list's filters and the refund of lines, by keyboard, in Russian at 1024×768 and in
 * English at 1920×1080 (screenshots of both sizes in both languages): a client picked from the
 * desk's client search, a range of the clinic's days, a status, with the number search and the
 * pager; a refund of one line's quantity, the desk's refusal shown in the dialog, and the printed
 * invoice at A4 width (794 px) without sideways scrolling.
 */
describe("invoices found by client, days and status; lines refunded; the print fits A4", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  let desk: RunningDesk
  let clinic: GeneratedClinic
  let zone = ""
  /** the invoices issued at this desk for CLIENT, newest last */
  const ours: { id: string; number: string }[] = []

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    clinic = await stack.seed({ seed: "e2e-invsearch", clients: 40, patients: 50, priceItems: 30, vets: 2, appointmentsPerDay: 6, days: 12, invoices: 140, now: todayNoon() })
    await seedProfile(stack.relayDir, PROFILE, clinic.clinicId)
    await stack.startRelay()
    browser = await launchBrowser()
    desk = await stack.startDesk("desk-invsearch", "F", uiDir)
    page = await browser.newPage(desk.url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await waitForSync(page, "online", 0)
    zone = await eventually(
      "the clinic's profile at the desk",
      async () => {
        const p = await desk.core.call("clinic.profile", undefined)
        return p.timeZoneSource === "clinic" && p.timeZone
      },
      60_000,
    )
    const { client, patients } = await desk.core.call("clients.create", { name: CLIENT, phone: "+7 912 000-11-22", patients: [{ name: "Кнопка", species: "кошка" }] })
    const items = await desk.core.call("pricelist.search", { query: "", limit: 3 })
    for (let n = 0; n < 3; n++) {
      const inv = await desk.core.call("invoices.create", {
        clientId: client.id,
        patientId: patients[0]!.id,
        vet: clinic.vets[0],
        lines: items.slice(0, n + 1).map((i, k) => ({ itemId: i.id, qtyMilli: 1000 * (k + 2) })),
      })
      ours.push({ id: inv.id, number: inv.number })
    }
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  const total = async (): Promise<number> => Number(await page.getAttribute('[data-testid="invoice-page"]', "data-total"))
  /** the list shows `n` invoices in all, each row as `check` wants */
  const listed = (what: string, n: number, check: (text: string) => boolean = () => true): Promise<true> =>
    eventually(
      what,
      async () => {
        if ((await total()) !== n) return false
        const rows = await page.locator('[data-testid="invoice-row"]').allTextContents()
        return rows.length === Math.min(n, 50) && rows.every(check) ? true : false
      },
      30_000,
      { describe: async () => `${await total()} in all; rows: ${(await page.locator('[data-testid="invoice-row"]').allTextContents()).slice(0, 3).join(" | ")}` },
    )
  /** a status chosen in the focused select by arrow keys, as staff do without a mouse */
  const chooseByKeys = async (value: string): Promise<void> => {
    for (let i = 0; i < 8 && (await page.evaluate(() => (document.activeElement as HTMLSelectElement).value)) !== value; i++)
      await page.keyboard.press("ArrowDown")
    expect(await page.evaluate(() => (document.activeElement as HTMLSelectElement).value)).toBe(value)
  }
  const seeded = (from: string, to: string, state?: InvoiceState): number =>
    clinic.invoices.filter(i => {
      const day = localDate(Date.parse(i.issuedAt), zone)
      return day >= from && day <= to && (!state || invoiceState(i) === state)
    }).length

  for (const [lang, width, height] of [
    ["ru", 1024, 768],
    ["en", 1920, 1080],
  ] as const) {
    it(`finds invoices by client, by days and by status, by keyboard (${lang}, ${width}×${height})`, async () => {
      await page.click('[data-testid="nav-invoices"]')
      await page.selectOption('[data-testid="lang"]', lang)
      await page.setViewportSize({ width, height })
      const all = clinic.invoices.length + ours.length
      await listed("every invoice", all)
      await page.focus('[data-testid="invoice-new"]')
      await tabTo(page, "invoice-client-input")
      await page.keyboard.type("Фильтрова")
      await shown(page, '[data-testid="invoice-client-hits"][data-query="Фильтрова"] [data-testid="client-hit"]', "the client in the filter's search")
      await page.keyboard.press("Enter")
      await shown(page, '[data-testid="invoice-client-picked"]', "the client picked")
      expect(await focused(page)).toBe("invoice-client-clear")
      await listed("the client's invoices", ours.length, row => row.includes(CLIENT))
      // with the number search: one of them
      await page.keyboard.press("Shift+Tab")
      await page.keyboard.press("Shift+Tab")
      expect(await focused(page)).toBe("invoice-search")
      await page.keyboard.type(ours[1]!.number)
      await listed("the client's invoice by its number", 1, row => row.includes(ours[1]!.number))
      await retype(page, "")
      await page.keyboard.press("Backspace")
      await listed("the client's invoices again", ours.length)
      await screens(page, "invoice-filter-client")
      await page.setViewportSize({ width, height })
      await page.selectOption('[data-testid="lang"]', lang)
      // × takes the client off and the keyboard back into the client search
      await page.focus('[data-testid="invoice-client-clear"]')
      await page.keyboard.press("Enter")
      await eventually("the keyboard in the client search", async () => (await focused(page)) === "invoice-client-input", 5_000)
      await listed("every invoice again", all)

      // days: a week of the seeded ones, typed as staff read dates
      const days = [...new Set(clinic.invoices.map(i => localDate(Date.parse(i.issuedAt), zone)))].sort()
      const from = days[1]!
      const to = days[Math.min(days.length - 2, 7)]!
      await page.keyboard.press("Tab")
      expect(await focused(page)).toBe("invoice-from")
      await page.keyboard.type(formatDate(from, lang))
      await page.keyboard.press("Tab")
      expect(await focused(page)).toBe("invoice-to")
      await page.keyboard.type(formatDate(to, lang))
      await listed(`the invoices of ${from}…${to}`, seeded(from, to))
      expect(seeded(from, to)).toBeGreaterThan(50)
      // the pager keeps the filters
      await tabTo(page, "invoice-next")
      await page.keyboard.press("Enter")
      await eventually("the second page", async () => (await page.textContent('[data-testid="invoice-page"]'))?.startsWith("51") === true, 10_000)
      expect(await total()).toBe(seeded(from, to))
      // and a status: paid ones of those days
      await page.focus('[data-testid="invoice-state"]')
      await chooseByKeys("issued")
      await listed("the issued invoices of those days", seeded(from, to, "issued"))
      expect(await page.textContent('[data-testid="invoice-page"]')).toMatch(/^(0|1)–/)
      await screens(page, "invoice-filter-days-status")
      await page.setViewportSize({ width, height })
      await page.selectOption('[data-testid="lang"]', lang)
      // a day that is not one is named, and left out of the search
      await page.focus('[data-testid="invoice-to"]')
      await retype(page, "31.02.2026")
      await shown(page, '[data-testid="invoice-filter-error"]', "the day that is not one named")
      await listed("the issued invoices from the first day on", seeded(from, "9999-12-31", "issued") + ours.length)
      // «clear filters»: everything again, the keyboard back in the number search
      await tabTo(page, "invoice-filters-clear")
      await page.keyboard.press("Enter")
      expect(await focused(page)).toBe("invoice-search")
      await listed("every invoice after clearing", all)
      expect(await page.locator('[data-testid="invoice-filters-clear"]').count()).toBe(0)
      expect(await page.inputValue('[data-testid="invoice-from"]')).toBe("")
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    })
  }
  it("refunds a line by keyboard, shows the desk's refusal in the dialog, and prints the invoice within A4", async () => {
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.setViewportSize({ width: 1024, height: 768 })
    const target = ours[2]!
    const inv = (await desk.core.call("invoices.get", { id: target.id }))!
    const [first, second] = inv.lines
    await desk.core.call("invoices.pay", { id: inv.id, payments: [{ method: "card", amount: inv.total }] })
    await page.click('[data-testid="nav-invoices"]')
    await page.focus('[data-testid="invoice-search"]')
    await page.keyboard.type(target.number)
    await listed("the invoice by its number", 1)
    await page.keyboard.press("Tab")
    await tabTo(page, "invoice-row")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="invoice-doc"][data-status="paid"]', "the paid invoice")
    // the dialog opens with the keyboard on the first line; Esc closes it and gives focus back
    await page.focus('[data-testid="invoice-refund"]')
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="refund-dialog"]', "the refund dialog")
    expect(await focused(page)).toBe("refund-pick")
    await page.keyboard.press("Escape")
    expect(await page.locator('[data-testid="refund-dialog"]').count()).toBe(0)
    expect(await focused(page)).toBe("invoice-refund")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="refund-dialog"]', "the refund dialog again")
    const lines = page.locator('[data-testid="refund-line"]')
    expect(await lines.count()).toBe(inv.lines.length)
    expect(await lines.nth(0).locator('[data-testid="refund-left"]').textContent()).toBe("2 / 2")
    // one of the first line's two: Tab to its quantity, type it; the sum is its price
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("refund-qty")
    await page.keyboard.type("1")
    const money = (k: number): string => (k / 100).toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    expect(await page.textContent('[data-testid="refund-sum"]')).toBe(money(first!.price))
    expect(await page.isDisabled('[data-testid="money-confirm"]')).toBe(true)
    await page.focus('[data-testid="money-reason"]')
    await page.keyboard.type("не понадобилось")
    expect(await page.isDisabled('[data-testid="money-confirm"]')).toBe(false)
    await screens(page, "invoice-refund-dialog")
    // meanwhile all of the first line is given back elsewhere: the desk refuses, the dialog says why
    await desk.core.call("invoices.refund", { id: inv.id, method: "card", reason: "другая касса", lines: [{ lineId: first!.id, qtyMilli: first!.qtyMilli }] })
    await page.focus('[data-testid="money-reason"]')
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="refund-failure"]', "the desk's refusal in the dialog")
    expect(await page.textContent('[data-testid="refund-failure"]')).toContain("Больше, чем продано и еще не возвращено")
    expect(await page.locator('[data-testid="refund-dialog"]').count()).toBe(1)
    await page.keyboard.press("Escape")
    expect(await focused(page)).toBe("invoice-refund")
    // again: the first line has nothing left; the second one is ticked with Space (all of it)
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="refund-dialog"]', "the refund dialog, a third time")
    expect(await lines.nth(0).locator('[data-testid="refund-left"]').textContent()).toBe("0 / 2")
    expect(await lines.nth(0).locator('[data-testid="refund-pick"]').isDisabled()).toBe(true)
    expect(await focused(page)).toBe("refund-pick")
    expect(await page.evaluate(() => document.activeElement?.closest("tr")?.getAttribute("data-line-id"))).toBe(second!.id)
    await page.keyboard.press("Space")
    expect(await page.inputValue('[data-testid="refund-line"]:nth-child(2) [data-testid="refund-qty"]')).toBe("3")
    expect(await page.textContent('[data-testid="refund-sum"]')).toBe(money(second!.total))
    await tabTo(page, "money-reason")
    await page.keyboard.type("вернули товар")
    await page.keyboard.press("Enter")
    await eventually("the dialog closed", async () => (await page.locator('[data-testid="refund-dialog"]').count()) === 0, 10_000)
    // the desk answers, the invoice reloads, then focus goes back to the button that opened the dialog
    await eventually("focus back on the refund button", async () => (await focused(page)) === "invoice-refund", 10_000)
    await shown(page, '[data-testid="invoice-doc"][data-status="refunded"]', "the refunded invoice")
    const returned = page.locator('[data-testid="invoice-returned"]')
    await eventually("both refunds on the invoice", async () => (await returned.count()) === 2, 10_000)
    expect(await returned.nth(1).textContent()).toContain(`${second!.name} × 3`)
    const refunds = (await desk.core.call("invoices.get", { id: inv.id }))!.payments.filter(p => p.kind === "refund")
    expect(refunds.map(r => r.lines)).toEqual([
      [{ lineId: first!.id, qtyMilli: first!.qtyMilli, amount: first!.total }],
      [{ lineId: second!.id, qtyMilli: second!.qtyMilli, amount: second!.total }],
    ])

    // the print: the clinic, the vet, the patient, the payment and the refunds with their methods, within A4
    for (const lang of ["ru", "en"] as const) {
      await page.emulateMedia({ media: "screen" })
      await page.selectOption('[data-testid="lang"]', lang)
      await page.emulateMedia({ media: "print" })
      await page.setViewportSize({ width: 794, height: 1123 })
      const doc = page.locator('[data-testid="invoice-doc"]')
      const text = (await doc.textContent()) ?? ""
      for (const part of [PROFILE.name, PROFILE.legalName, PROFILE.inn, clinic.vets[0]!, "Кнопка", CLIENT]) expect(text).toContain(part)
      expect(await page.locator('[data-testid="invoice-payment"]').count()).toBe(3)
      expect(await page.textContent('[data-testid="invoice-payments"]')).toContain(lang === "ru" ? "Карта" : "Card")
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        // what sticks out, to name in the failure
        wide: [...document.querySelectorAll("*")]
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
          .map(e => `${e.tagName}.${e.className}`),
      }))
      expect(widths.client).toBe(794)
      expect(widths.scroll, `sticks out: ${widths.wide.join(", ")}`).toBeLessThanOrEqual(widths.client)
      await screenshot(page, `invoice-print-a4-${lang}`)
    }
    await page.emulateMedia({ media: "screen" })
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.setViewportSize({ width: 1024, height: 768 })
  })
  it("names the vet chosen in the invoice builder on the printed invoice", async () => {
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.setViewportSize({ width: 1024, height: 768 })
    await page.click('[data-testid="nav-invoices"]')
    await page.focus('[data-testid="invoice-new"]')
    await page.keyboard.press("Enter")
    await eventually("the keyboard in the builder's client search", async () => (await focused(page)) === "picker-search-input", 10_000)
    await page.keyboard.type("Фильтрова")
    await shown(page, '[data-testid="picker-search-hits"][data-query="Фильтрова"] [data-testid="client-hit"]', "the client in the builder")
    await page.keyboard.press("Enter")
    await eventually("the keyboard on the patient", async () => (await focused(page)) === "picked-patient", 10_000)
    await page.keyboard.press("Tab")
    await shown(page, '[data-testid="price-item"]', "the price list")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="draft-line"]', "the line added")
    await tabTo(page, "invoice-vet")
    await chooseByKeys(clinic.vets[1]!)
    await tabTo(page, "invoice-issue")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="invoice-doc"]', "the issued invoice")
    expect(await page.textContent('[data-testid="invoice-doc"] .doc-parties')).toContain(clinic.vets[1]!)
  })
})
