import { DEFAULT_TIME_ZONE, addDays, localDate } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, retype, screens, shown, syncState } from "./harness/keyboard.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

/** "2026-11-20" -> "20.11.2026" */
const ru = (date: string): string => date.split("-").reverse().join(".")
/** the same day `years` years and `months` months before `date` (the 28th at most, so every month has it) */
const before = (date: string, years: number, months = 0): string => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number]
  const total = y * 12 + (m - 1) - years * 12 - months
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, "0")}-${String(Math.min(d, 28)).padStart(2, "0")}`
}

/** the text of every field problem shown inside `scope`, by the field's name */
const problems = (page: Page, scope: string): Promise<Record<string, string>> =>
  page.$$eval(`${scope} [data-testid^="field-error-"]`, els =>
    Object.fromEntries(
      els.map(e => [e.getAttribute("data-testid")?.replace("field-error-", "") ?? "", e.textContent ?? ""]),
    ),
  )

/**
 * Forms as a mature clinic system has them (issue 11, item 4), in a browser whose own locale is
 * American English: every field checked at once with messages in the UI's language, dates shown
 * and typed as ДД.ММ.ГГГГ, a patient's age next to the birth date, nothing refused without saying why.
 */
describe("forms (browser in en-US, relay, one desk)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  const today = localDate(Date.now(), DEFAULT_TIME_ZONE)

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    await stack.seed({
      seed: "forms-e2e",
      clients: 300,
      patients: 400,
      priceItems: 60,
      vets: 6,
      appointmentsPerDay: 24,
      days: 3,
      startDate: addDays(today, -1),
      now: todayNoon(),
    })
    await stack.startRelay()
    browser = await launchBrowser([], "en-US")
    const desk = await stack.startDesk("desk-f", "F", uiDir)
    page = await browser.newPage(desk.url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await syncState(page, "online", 0)
    expect(await page.evaluate(() => navigator.language)).toBe("en-US")
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  it("checks a new client's and their pet's fields all at once, in the UI's language, next to each field", async () => {
    await page.click('[data-testid="nav-clients"]')
    await page.click('[data-testid="client-new"]')
    const form = '[data-testid="client-create"]'
    expect(await focused(page)).toBe("name")
    await page.fill(`${form} [name="phone"]`, "8 912 555")
    await page.fill(`${form} [name="email"]`, "nope")
    await page.fill(`${form} [name="petName"]`, "Бим")
    await page.fill(`${form} [name="birthDate"]`, "31.02.2026")
    await page.fill(`${form} [name="chip"]`, "12")
    await page.keyboard.press("Enter")
    await shown(page, `${form} [data-testid="field-error-name"]`, "the client's problems")
    expect(await problems(page, form)).toEqual({
      name: "Обязательное поле",
      phone: "Не хватает цифр: в российском номере 10 цифр после +7 или 8",
      email: "Неверный адрес почты",
      species: "Обязательное поле",
      birthDate: "Неверная дата (ДД.ММ.ГГГГ)",
      chip: "Номер чипа: от 6 до 20 латинских букв или цифр",
    })
    // the keyboard goes to the first field with a problem
    expect(await focused(page)).toBe("name")
    await screens(page, "forms-client-all-at-once")
    await page.selectOption('[data-testid="lang"]', "en")
    await shown(page, `${form} [data-testid="field-error-name"] >> text=Required`, "the problems in English")
    expect(await problems(page, form)).toMatchObject({
      species: "Required",
      birthDate: "Not a valid date (DD/MM/YYYY)",
      email: "Not a valid e-mail address",
    })
    await page.selectOption('[data-testid="lang"]', "ru")
    // fixed fields lose their message as staff type; the pet's age shows as its birth date is typed
    await page.fill(`${form} [name="name"]`, "Кравцова Дарья Олеговна")
    await page.fill(`${form} [name="phone"]`, "8 912 555-01-23")
    await page.fill(`${form} [name="email"]`, "")
    await page.fill(`${form} [name="species"]`, "собака")
    await page.fill(`${form} [name="chip"]`, "")
    const born = before(today, 13)
    await page.fill(
      `${form} [name="birthDate"]`,
      `${Number(born.slice(8))}.${Number(born.slice(5, 7))}.${born.slice(0, 4)}`,
    )
    await page.press(`${form} [name="birthDate"]`, "Tab")
    expect(await page.inputValue(`${form} [name="birthDate"]`)).toBe(ru(born))
    expect(await problems(page, form)).toEqual({})
    expect(await page.textContent(`${form} [data-testid="field-hint-birthDate"]`)).toBe("13 лет")
    await page.click(`${form} [data-testid="client-create-save"]`)
    await shown(
      page,
      '[data-testid="client-card"] [data-testid="client-name"] >> text=Кравцова Дарья Олеговна',
      "the new client's card",
    )
    expect(await page.textContent('[data-testid="patient-born"]')).toBe(`${ru(born)} (13 лет)`)
  })

  it("shows a patient's age next to the birth date on the clinic's today, with Russian plurals; months under a year", async () => {
    const desk = stack.desks[0]!
    const pets: [string, string, string, string][] = [
      ["Альма", before(today, 21), "21 год", "21 years"],
      ["Бублик", before(today, 22), "22 года", "22 years"],
      ["Веста", before(today, 11), "11 лет", "11 years"],
      ["Гром", before(today, 1), "1 год", "1 year"],
      ["Дина", before(today, 0, 5), "5 мес.", "5 months"],
      ["Ёжик", today, "до 1 мес.", "under a month"],
    ]
    const { client } = await desk.core.call("clients.create", {
      name: "Пятеркина Анна",
      patients: pets.map(([name, birthDate]) => ({ name, species: "кошка", birthDate })),
    })
    await page.fill('[data-testid="client-search-input"]', "Пятеркина")
    await page.click(`[data-testid="client-hit"] >> text=Пятеркина Анна`)
    await shown(
      page,
      `[data-testid="client-card"][data-client-id="${client.id}"] [data-testid="patient-born"]`,
      "the patients' ages",
    )
    for (const [name, born, age] of pets)
      expect(
        await page.textContent(`[data-testid="patient"]:has-text("${name}") [data-testid="patient-born"]`),
        name,
      ).toBe(`${ru(born)} (${age})`)
    await screens(page, "forms-ages")
    await page.selectOption('[data-testid="lang"]', "en")
    for (const [name, born, , age] of pets)
      expect(
        await page.textContent(`[data-testid="patient"]:has-text("${name}") [data-testid="patient-born"]`),
        name,
      ).toBe(`${born.split("-").reverse().join("/")} (${age})`)
    await page.selectOption('[data-testid="lang"]', "ru")
  })

  it("shows and takes dates as ДД.ММ.ГГГГ in the day picker and the booking form, whatever the browser's locale", async () => {
    await page.click('[data-testid="nav-appointments"]')
    const day = '[data-testid="day-date"]'
    await shown(page, day, "the day picker")
    expect(await page.locator('input[type="date"], input[type="datetime-local"]').count()).toBe(0)
    expect(await page.inputValue(day)).toBe(ru(today))
    await page.fill(day, "31.02.2026")
    await page.press(day, "Enter")
    await shown(page, '[data-testid="day-date-error"]', "the refusal of 31.02.2026")
    expect(await page.textContent('[data-testid="day-date-error"]')).toBe("Неверная дата (ДД.ММ.ГГГГ)")
    const tomorrow = addDays(today, 1)
    await page.fill(day, `${Number(tomorrow.slice(8))}.${Number(tomorrow.slice(5, 7))}.${tomorrow.slice(0, 4)}`)
    await page.press(day, "Enter")
    await eventually(
      "the picker on tomorrow",
      async () => (await page.inputValue(day)) === ru(tomorrow) || undefined,
      10_000,
    )
    expect(await page.locator('[data-testid="day-date-error"]').count()).toBe(0)
    await page.press(day, "ArrowDown")
    await eventually(
      "the picker back on today",
      async () => (await page.inputValue(day)) === ru(today) || undefined,
      10_000,
    )
    await page.selectOption('[data-testid="lang"]', "en")
    await eventually(
      "the day in English",
      async () => (await page.inputValue(day)) === today.split("-").reverse().join("/") || undefined,
      10_000,
    )
    await page.selectOption('[data-testid="lang"]', "ru")

    await page.click('[data-testid="appt-new"]')
    const form = '[data-testid="booking-form"]'
    // the next free slot's day (today, or later when today's hours are over), as staff read dates
    expect(await page.inputValue(`${form} [name="date"]`)).toMatch(/^\d{2}\.\d{2}\.\d{4}$/)
    await page.fill(`${form} [name="date"]`, "1.2.2030")
    await page.press(`${form} [name="date"]`, "Tab")
    expect(await page.inputValue(`${form} [name="date"]`)).toBe("01.02.2030")
    await page.click('[data-testid="book-new"]')
    await page.fill(`${form} [name="birthDate"]`, ru(before(today, 0, 5)))
    expect(await page.textContent(`${form} [data-testid="field-hint-birthDate"]`)).toBe("5 мес.")
  })

  it("checks the booking form's new client, pet and visit all at once", async () => {
    const form = '[data-testid="booking-form"]'
    await page.fill(`${form} [name="birthDate"]`, ru(addDays(today, 1)))
    await page.fill(`${form} [name="date"]`, "29.02.2027")
    await page.fill(`${form} [name="time"]`, "25:00")
    await page.fill(`${form} [name="minutes"]`, "0")
    await page.click('[data-testid="book-submit"]')
    await shown(page, `${form} [data-testid="field-error-time"]`, "the booking's problems")
    expect(await problems(page, form)).toEqual({
      name: "Обязательное поле",
      petName: "Обязательное поле",
      species: "Обязательное поле",
      birthDate: "Дата не может быть в будущем",
      date: "Неверная дата (ДД.ММ.ГГГГ)",
      time: "Неверное время (ЧЧ:ММ)",
      minutes: "Длительность: от 5 до 720 минут",
    })
    expect(await focused(page)).toBe("name")
    await screens(page, "forms-booking-all-at-once")
    // an existing client not picked is said next to the search
    await page.click('[data-testid="book-existing"]')
    await page.click('[data-testid="book-submit"]')
    await shown(page, '[data-testid="picker-error"]', "the missing client")
    expect(await page.textContent('[data-testid="picker-error"]')).toBe("Выберите клиента")
    expect(await focused(page)).toBe("picker-search-input")
    await page.keyboard.press("Escape")
    expect(await page.locator(form).count()).toBe(0)
  })

  it("says why an invoice cannot be issued, next to the field and under the button, instead of greying it out", async () => {
    await page.click('[data-testid="nav-invoices"]')
    await page.click('[data-testid="invoice-new"]')
    await page.click('[data-testid="invoice-issue"]')
    await shown(page, '[data-testid="picker-error"]', "the missing client")
    expect(await page.textContent('[data-testid="picker-error"]')).toBe("Выберите клиента")
    expect(await page.textContent('[data-testid="lines-error"]')).toBe(
      "Добавьте хотя бы одну услугу или товар из прайс-листа",
    )
    expect(await focused(page)).toBe("picker-search-input")
    await page.keyboard.type("Пятеркина")
    await shown(
      page,
      '[data-testid="picker-search-hits"][data-query="Пятеркина"] [data-testid="client-hit"]',
      "the client",
    )
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="picked-client"] >> text=Пятеркина Анна', "the picked client")
    await page.locator('[data-testid="price-item"]').first().click()
    await page.locator('[data-testid="price-item"]').nth(1).click()
    await page.fill('[data-testid="draft-qty"] >> nth=1', "-1")
    // said at once, next to the quantity; the button stays pressable
    await shown(page, '[data-testid="draft-qty-error"]', "the quantity's problem")
    expect(await page.textContent('[data-testid="draft-qty-error"]')).toBe("Количество должно быть больше нуля")
    expect(await page.isEnabled('[data-testid="invoice-issue"]')).toBe(true)
    await page.click('[data-testid="invoice-issue"]')
    await shown(page, '[data-testid="invoice-why"]', "why the invoice was not issued")
    expect(await page.textContent('[data-testid="invoice-why"]')).toContain("Количество должно быть больше нуля")
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-invalid"))).toBe("true")
    await screens(page, "forms-invoice-why")
    await retype(page, "1,5")
    await eventually(
      "the problem gone",
      async () => (await page.locator('[data-testid="invoice-why"]').count()) === 0 || undefined,
      10_000,
    )
    await page.click('[data-testid="invoice-issue"]')
    await shown(page, '[data-testid="invoice-doc"] >> text=Пятеркина Анна', "the issued invoice")
  })
})
