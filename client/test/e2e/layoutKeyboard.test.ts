import { DEFAULT_TIME_ZONE, addDays, localDate } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clinicToday } from "./harness/booking.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, retype, screens, shown, syncState, tabTo } from "./harness/keyboard.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

/** Presses Shift+Tab until the element with this name or test id has the focus (at most 12 times). */
const shiftTabTo = async (page: Page, target: string): Promise<void> => {
  for (let i = 0; i < 12 && (await focused(page)) !== target; i++) await page.keyboard.press("Shift+Tab")
  expect(await focused(page), `Shift+Tab to ${target}`).toBe(target)
}

/** The focus lands on `target` (name or test id), soon. */
const focusOn = (page: Page, target: string): Promise<true> =>
  eventually(`the focus on ${target}`, async () => (await focused(page)) === target || undefined, 10_000)

/** No sideways scroll at 1024×768, in Russian and in English. */
const fits = async (page: Page, what: string): Promise<void> => {
  for (const lang of ["ru", "en"] as const) {
    await page.selectOption('[data-testid="lang"]', lang)
    await eventually(`the page in ${lang}`, () => page.evaluate(l => document.documentElement.lang === l, lang), 5_000)
    const { scroll, inner } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }))
    expect(inner, what).toBe(1024)
    expect(scroll, `${what} in ${lang}: the page is ${scroll} px wide in a ${inner} px window`).toBeLessThanOrEqual(
      inner,
    )
  }
  await page.selectOption('[data-testid="lang"]', "ru")
}

/** The element is wholly inside the window's width. */
const inWidth = async (page: Page, selector: string): Promise<void> => {
  const box = await page.locator(selector).first().boundingBox()
  expect(box && box.x >= 0 && box.x + box.width <= 1024, `${selector}: ${JSON.stringify(box)}`).toBe(true)
}

/**
 * Layout and keyboard (issue 11, item 6): every screen at 1024×768 without sideways scroll, forms
 * that take the keyboard when they open and give it back when they close (Esc closes them), an
 * invoice list's page of 50 rows that is one tab stop, and the main flows done without a mouse.
 */
describe("layout and keyboard (browser, relay, one desk)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  const today = localDate(Date.now(), DEFAULT_TIME_ZONE)
  const client = { name: "Клавиатурова Вера Павловна", phone: "8 913 777-12-34", pet: "Тоша" }

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    await stack.seed({
      seed: "layout-e2e",
      clients: 400,
      patients: 500,
      priceItems: 60,
      vets: 6,
      appointmentsPerDay: 42,
      days: 3,
      startDate: addDays(today, -1),
      invoices: 260,
      now: todayNoon(),
    })
    await stack.startRelay()
    browser = await launchBrowser()
    const desk = await stack.startDesk("desk-k", "K", uiDir)
    page = await browser.newPage(desk.url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await syncState(page, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("registers a client with a pet, books and issues an invoice without a mouse", async () => {
    // register: Клиенты, the search has the keyboard; «Новый клиент» is one Shift+Tab away
    await tabTo(page, "nav-clients")
    await page.keyboard.press("Enter")
    await focusOn(page, "client-search-input")
    await shiftTabTo(page, "client-new")
    await page.keyboard.press("Enter")
    await focusOn(page, "name")
    await page.keyboard.type(client.name)
    await page.keyboard.press("Tab")
    await page.keyboard.type(client.phone)
    await tabTo(page, "petName")
    await page.keyboard.type(client.pet)
    await page.keyboard.press("Tab")
    await page.keyboard.type("кошка")
    await tabTo(page, "birthDate")
    await page.keyboard.type("17.12.2012")
    await page.keyboard.press("Enter")
    await shown(
      page,
      `[data-testid="client-card"] [data-testid="client-name"] >> text=${client.name}`,
      "the new client's card",
    )
    expect(await page.textContent('[data-testid="patient-born"]')).toMatch(/^17\.12\.2012 \(\d+ (год|года|лет)\)$/)
    await focusOn(page, "client-new")

    // book: Запись на прием, «Новая запись», the client by keyboard, the vet, the time, Enter
    await shiftTabTo(page, "nav-appointments")
    await page.keyboard.press("Enter")
    await tabTo(page, "appt-new")
    await page.keyboard.press("Enter")
    await focusOn(page, "picker-search-input")
    await page.keyboard.type("Клавиатурова")
    await shown(
      page,
      '[data-testid="picker-search-hits"][data-query="Клавиатурова"] [data-testid="client-hit"]',
      "the client in the booking's search",
    )
    await page.keyboard.press("Enter")
    await focusOn(page, "picked-patient")
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("vet")
    // the vet from the roster's list, by the arrow keys
    const vet = stack.clinic?.vets[0] ?? "Врач"
    for (let i = 0; i < 8 && (await page.inputValue('[data-testid="book-vet"]')) !== vet; i++) await page.keyboard.press("ArrowDown")
    expect(await page.inputValue('[data-testid="book-vet"]')).toBe(vet)
    // today (the form proposes the vet's next free slot), after the seeds' hours: a free slot
    await tabTo(page, "date")
    await retype(page, clinicToday())
    await tabTo(page, "time")
    await retype(page, "21:15")
    await tabTo(page, "reason")
    await page.keyboard.type("Осмотр")
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="appointment"]:has-text("${client.name}")`, "the booked appointment")
    expect(await page.textContent(`[data-testid="appointment"]:has-text("${client.name}")`)).toContain("21:15")
    await focusOn(page, "appt-new")

    // invoice: Счета, «Новый счет», the client, an item from the price list by arrows and Enter, a quantity, «Выставить счет»
    await shiftTabTo(page, "nav-invoices")
    await page.keyboard.press("Enter")
    await tabTo(page, "invoice-new")
    await page.keyboard.press("Enter")
    await focusOn(page, "picker-search-input")
    await page.keyboard.type("Клавиатурова")
    await shown(
      page,
      '[data-testid="picker-search-hits"][data-query="Клавиатурова"] [data-testid="client-hit"]',
      "the client in the invoice's search",
    )
    await page.keyboard.press("Enter")
    await focusOn(page, "picked-patient")
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("price-search")
    await shown(page, '[data-testid="price-item"]', "the price list")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="draft-line"]', "the line added")
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("draft-qty")
    await retype(page, "2")
    await tabTo(page, "invoice-issue")
    await screens(page, "forms-keyboard-invoice")
    await page.keyboard.press("Enter")
    await shown(
      page,
      `[data-testid="invoice-doc"] [data-testid="invoice-client"] >> text=${client.name}`,
      "the issued invoice",
    )
    await focusOn(page, "invoice-new")
  })

  it("fits every screen into 1024×768 without sideways scroll; the day view keeps six vets side by side", async () => {
    await page.click('[data-testid="nav-appointments"]')
    await shown(page, '[data-testid="appointment"]', "today's appointments")
    const columns = await page
      .locator('[data-testid="grid-column"]')
      .evaluateAll(els => els.map(e => e.getBoundingClientRect()).map(r => ({ top: r.top, right: r.right })))
    expect(columns.length).toBe(6)
    expect(new Set(columns.map(c => Math.round(c.top))).size, JSON.stringify(columns)).toBe(1)
    expect(Math.max(...columns.map(c => c.right))).toBeLessThanOrEqual(1024)
    await fits(page, "the day view")
    await screens(page, "forms-layout-day")
    await page.click('[data-testid="appt-new"]')
    await fits(page, "the booking form")
    await page.click('[data-testid="book-new"]')
    await fits(page, "the booking form with a new client")
    await screens(page, "forms-layout-booking")
    await page.click('[data-testid="booking-form"] >> text=Отмена')

    await page.click('[data-testid="nav-clients"]')
    await page.fill('[data-testid="client-search-input"]', client.name)
    await page.click(`[data-testid="client-hit"] >> text=${client.name}`)
    await shown(page, '[data-testid="client-card"]', "the card")
    await fits(page, "the client card")
    await page.click('[data-testid="client-edit"]')
    await page.click('[data-testid="patient-add"]')
    await fits(page, "the card with the new patient form open")
    await screens(page, "forms-layout-card-edit")
    await page.click('[data-testid="client-new"]')
    await page.click('[data-testid="client-create-save"]')
    await shown(page, '[data-testid="field-error-name"]', "the new client's problems")
    await fits(page, "the new client form with its problems")

    await page.click('[data-testid="nav-invoices"]')
    await page.locator('[data-testid="invoice-row"]').first().click()
    await shown(page, '[data-testid="invoice-doc"]', "an invoice")
    await fits(page, "the invoice list and document")
    await screens(page, "forms-layout-invoice")
    await page.click('[data-testid="invoice-new"]')
    await page.locator('[data-testid="price-item"]').first().click()
    await page.locator('[data-testid="price-item"]').nth(3).click()
    await fits(page, "the invoice builder")
    for (const column of ["Кол-во", "Цена", "Сумма"])
      await inWidth(page, `[data-testid="draft-lines"] th:has-text("${column}")`)
    await inWidth(page, '[data-testid="invoice-builder"] button:has-text("Отмена")')
    await inWidth(page, '[data-testid="draft-line-total"]')
    await screens(page, "forms-layout-builder")
    await page.click('[data-testid="invoice-builder"] button:has-text("Отмена")')
  })

  it("moves the keyboard into a form when it opens and back to its button when it closes; Esc closes it", async () => {
    const roundTrip = async (button: string, first: string, form: string): Promise<void> => {
      await page.focus(`[data-testid="${button}"]`)
      await page.keyboard.press("Enter")
      await focusOn(page, first)
      await page.keyboard.press("Escape")
      await eventually(
        `${form} closed by Esc`,
        async () => (await page.locator(`[data-testid="${form}"]`).count()) === 0 || undefined,
        10_000,
      )
      await focusOn(page, button)
    }
    await page.click('[data-testid="nav-clients"]')
    await page.fill('[data-testid="client-search-input"]', client.name)
    await page.click(`[data-testid="client-hit"] >> text=${client.name}`)
    await shown(page, '[data-testid="client-card"]', "the card")
    await roundTrip("client-new", "name", "client-create")
    await roundTrip("client-edit", "name", "client-form")
    await roundTrip("patient-add", "petName", "patient-form")
    await roundTrip("patient-edit", "petName", "patient-form")
    // "cancel" gives the keyboard back as Esc does
    await page.focus('[data-testid="client-edit"]')
    await page.keyboard.press("Enter")
    await focusOn(page, "name")
    await tabTo(page, "client-save")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await focusOn(page, "client-edit")

    await page.click('[data-testid="nav-appointments"]')
    await roundTrip("appt-new", "picker-search-input", "booking-form")
    await page.click('[data-testid="nav-invoices"]')
    await roundTrip("invoice-new", "picker-search-input", "invoice-builder")
  })

  it("keeps a page of 50 invoice rows to one tab stop with arrow keys, and «Новый счет» takes the keyboard into the builder", async () => {
    await page.setViewportSize({ width: 1920, height: 1080 })
    const rows = page.locator('[data-testid="invoice-row"]')
    // the list pages (50 a page, «Дальше» for more): 260 invoices seeded
    expect(await rows.count()).toBe(50)
    expect(await page.locator('[data-testid="invoice-row"][tabindex="0"]').count()).toBe(1)
    await page.focus('[data-testid="invoice-new"]')
    await page.keyboard.press("Enter")
    await focusOn(page, "picker-search-input")
    // the list (still shown on a wide screen) is one tab stop between its search and its pager:
    // backwards from the builder, «Дальше», the rows, the days to and from, the client, the status,
    // the number search, «Новый счет»
    const back = ["invoice-next", "invoice-row", "invoice-to", "invoice-from", "invoice-client-input", "invoice-state", "invoice-search", "invoice-new"]
    for (const stop of back) {
      await page.keyboard.press("Shift+Tab")
      expect(await focused(page)).toBe(stop)
    }
    for (let i = 0; i < back.length; i++) await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("picker-search-input")
    // arrows move along the rows, Enter opens one
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    expect(await focused(page)).toBe("invoice-row")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    const third = await rows.nth(2).getAttribute("data-invoice-id")
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-invoice-id"))).toBe(third)
    await page.keyboard.press("End")
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-invoice-id"))).toBe(
      await rows.nth(49).getAttribute("data-invoice-id"),
    )
    await page.keyboard.press("Home")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="invoice-doc"]', "the invoice opened by Enter")
    expect(await page.getAttribute(`[data-testid="invoice-row"][data-invoice-id="${third}"]`, "aria-selected")).toBe(
      "true",
    )
    expect(await page.locator('[data-testid="invoice-row"][tabindex="0"]').getAttribute("data-invoice-id")).toBe(third)
    // on a 1024 px screen the builder takes the list's place: no row between the top bar and the builder
    await page.setViewportSize({ width: 1024, height: 768 })
    await page.focus('[data-testid="invoice-new"]')
    await page.keyboard.press("Enter")
    await focusOn(page, "picker-search-input")
    expect(await page.locator('[data-testid="invoice-list"]').isVisible()).toBe(false)
    await page.keyboard.press("Shift+Tab")
    expect(await focused(page)).toBe("sync-now")
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("picker-search-input")
    await page.keyboard.press("Escape")
    await focusOn(page, "invoice-new")
  })
})
