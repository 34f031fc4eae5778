import { generateClinic, type GeneratedClinic } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, retype, screens, shown, syncState, tabTo } from "./harness/keyboard.js"
import { seedRelayStorage } from "./harness/seed.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

/** The client staff look up by phone: stored as typed before phones were normalised. */
const OLD_PHONE = "+7 952 618-10-32"
const SEARCH = '[data-testid="client-search-input"]'
const HITS = '[data-testid="client-search-hits"]'

const fold = (s: string): string => s.toLowerCase().replace(/ё/g, "е")

/**
 * Search as staff expect it (issue 11, search), in Chromium by keyboard: "Федоров" puts the
 * Фёдоровы first and says how many match; the arrows and Enter pick a hit, Esc clears; a client
 * stored with "+7 952 618-10-32" is found as "8 952 618 10 32"; a new client with that phone is
 * warned about before anything is saved, and "open the existing client" opens it.
 */
describe("search by keyboard (browser, relay, one desk)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  let clinic: GeneratedClinic
  let known: { id: string; name: string }

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    clinic = generateClinic({ seed: "search-e2e", clients: 2_000, patients: 2_600, priceItems: 50, vets: 2, appointmentsPerDay: 4, days: 3, now: todayNoon() })
    const someone = clinic.clients[321]
    if (!someone) throw new Error("no client 321")
    clinic.clients[321] = { ...someone, phone: OLD_PHONE }
    known = { id: someone.id, name: someone.name }
    stack.clinic = clinic
    await seedRelayStorage(stack.relayDir, clinic)
    await stack.startRelay()
    browser = await launchBrowser()
    const desk = await stack.startDesk("desk-s", "S", uiDir)
    page = await browser.newPage(desk.url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await syncState(page, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  /** the hits shown for exactly this query */
  const hitsFor = async (query: string): Promise<string[]> => {
    await shown(page, `${HITS}[data-query="${query}"] [data-testid="client-hit"]`, `hits for ${query}`)
    return page.locator('[data-testid="client-hit"] .hit-name').allTextContents()
  }

  it("puts the Фёдоровы first for «Федоров», counts every match and asks to refine", async () => {
    await tabTo(page, "nav-clients")
    await page.keyboard.press("Enter")
    await eventually("the search box to have the focus", async () => (await focused(page)) === "client-search-input" || undefined, 10_000)
    await page.keyboard.type("Федоров")
    const names = await hitsFor("Федоров")
    const surnames = clinic.clients.filter(c => fold(c.name).startsWith("федоров")).length
    const matches = clinic.clients.filter(c => fold(c.name).includes("федоров") || clinic.patients.some(p => p.clientId === c.id && fold(p.name).includes("федоров"))).length
    expect(surnames, "the clinic has Фёдоровы").toBeGreaterThan(0)
    expect(matches, "more matches than a page").toBeGreaterThan(50)
    expect(names).toHaveLength(50)
    // every Фёдоров(а) before any «…Фёдорович»
    expect(names.slice(0, surnames).every(n => fold(n).startsWith("федоров")), names.join(", ")).toBe(true)
    expect(names.slice(surnames).some(n => fold(n).startsWith("федоров"))).toBe(false)
    expect(await page.textContent('[data-testid="client-search-count"]')).toBe(`Показано 50 из ${matches} — уточните запрос`)
    expect(await page.getAttribute(SEARCH, "aria-expanded")).toBe("true")
    await page.selectOption('[data-testid="lang"]', "en")
    await shown(page, '[data-testid="client-search-count"] >> text=refine', "the count in English")
    expect(await page.textContent('[data-testid="client-search-count"]')).toBe(`Showing 50 of ${matches} — refine the search`)
    await page.selectOption('[data-testid="lang"]', "ru")
    await page.focus(SEARCH)
  })

  it("moves through the hits with the arrows (aria-activedescendant) and opens the one Enter picks; Esc clears", async () => {
    const active = async (): Promise<{ id: string | null; selected: string | null; name: string }> => {
      const id = await page.getAttribute(SEARCH, "aria-activedescendant")
      const option = page.locator(`[id="${id ?? ""}"]`)
      return { id, selected: id ? await option.getAttribute("aria-selected") : null, name: id ? ((await option.locator(".hit-name").textContent()) ?? "") : "" }
    }
    expect((await active()).id).toBeNull()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowUp")
    const second = await active()
    const names = await page.locator('[data-testid="client-hit"] .hit-name').allTextContents()
    expect(second).toMatchObject({ selected: "true", name: names[1] })
    expect(await page.locator('[data-testid="client-hit"][aria-selected="true"]').count()).toBe(1)
    await screens(page, "search-ranked")
    await page.focus(SEARCH)
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="client-card"] [data-testid="client-name"] >> text=${second.name}`, "the card of the picked hit")
    expect(await page.textContent('[data-testid="client-name"]')).toBe(second.name)
    expect(await focused(page)).toBe("client-search-input")
    await page.keyboard.press("Escape")
    expect(await page.inputValue(SEARCH)).toBe("")
    expect(await page.locator(HITS).isVisible()).toBe(false)
    expect(await page.getAttribute(SEARCH, "aria-expanded")).toBe("false")
  })

  it("finds the client stored as «+7 952 618-10-32» by «8 952 618 10 32» and «89526181032», and Enter opens it", async () => {
    for (const typed of ["8 952 618 10 32", "89526181032"]) {
      await page.keyboard.press("Escape")
      await page.keyboard.type(typed)
      const names = await hitsFor(typed)
      expect(names[0], typed).toBe(known.name)
      expect(await page.textContent('[data-testid="client-search-count"]')).toBe("Найдено: 1")
    }
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="client-card"][data-client-id="${known.id}"]`, "the card of the client found by phone")
    expect(await page.textContent('[data-testid="client-phone"]')).toBe(OLD_PHONE)
  })

  it("warns before creating a client with a phone the desk has, and opens the existing one", async () => {
    for (let i = 0; i < 4 && (await focused(page)) !== "client-new"; i++) await page.keyboard.press("Shift+Tab")
    expect(await focused(page)).toBe("client-new")
    await page.keyboard.press("Enter")
    await tabTo(page, "name")
    await page.keyboard.type("Новикова Ирина")
    await page.keyboard.press("Tab")
    expect(await focused(page)).toBe("phone")
    await page.keyboard.type("8 (952) 618-10-32")
    await tabTo(page, "petName")
    await page.keyboard.type("Тиша")
    await page.keyboard.press("Tab")
    await page.keyboard.type("кошка")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="duplicate-warning"]', "the duplicate warning")
    expect(await page.textContent('[data-testid="duplicate"]')).toContain(known.name)
    expect(await page.textContent('[data-testid="duplicate"]')).toContain("тот же телефон")
    expect(await focused(page)).toBe("duplicate-open")
    // the whole warning is on screen at 1024×768, "create anyway" included
    const anyway = await page.locator('[data-testid="duplicate-create-anyway"]').boundingBox()
    expect(anyway && anyway.y >= 0 && anyway.y + anyway.height <= 768, JSON.stringify(anyway)).toBe(true)
    await screens(page, "search-duplicate-warning")
    await page.focus('[data-testid="duplicate-open"]')
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="client-card"][data-client-id="${known.id}"]`, "the existing client's card")
    // nothing was created (the box still holds the phone searched before: typed over, as staff do)
    await page.focus(SEARCH)
    await retype(page, "Новикова Ирина")
    await shown(page, `${HITS}[data-query="Новикова Ирина"]`, "the search for the client not created")
    expect(await page.locator('[data-testid="client-hit"] >> text=Новикова Ирина').count()).toBe(0)
  })

  it("warns the same way before booking a new client with that phone, and books the existing one instead", async () => {
    const form = '[data-testid="booking-form"]'
    await page.click('[data-testid="nav-appointments"]')
    await page.click('[data-testid="appt-new"]')
    await shown(page, form, "the booking form")
    await page.check('[data-testid="book-new"]')
    await page.fill(`${form} [name="name"]`, "Новикова Ирина")
    await page.fill(`${form} [name="phone"]`, "89526181032")
    await page.fill(`${form} [name="petName"]`, "Тиша")
    await page.fill(`${form} [name="species"]`, "кошка")
    await page.press(`${form} [name="species"]`, "Enter")
    await shown(page, `${form} [data-testid="duplicate-warning"]`, "the duplicate warning on the booking form")
    expect(await page.textContent(`${form} [data-testid="duplicate"]`)).toContain(known.name)
    expect(await focused(page)).toBe("duplicate-open")
    await screens(page, "booking-duplicate-warning")
    await page.keyboard.press("Enter")
    await shown(page, `${form} [data-testid="picked-client"] >> text=${known.name}`, "the existing client, picked for the booking")
    expect(await page.isChecked('[data-testid="book-existing"]')).toBe(true)
  })
})
