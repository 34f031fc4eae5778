import { DEFAULT_TIME_ZONE, addDays, localDate } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clinicToday } from "./harness/booking.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, screens, shown, syncState, tabTo } from "./harness/keyboard.js"
import { todayNoon } from "./harness/seeded.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

interface Cell {
  ci: number
  ri: number
  vet: string
  date: string
  time: string
}

/** the grid's slot that has the keyboard */
const cursor = (page: Page): Promise<Cell> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement
    const d = el.dataset
    return { ci: Number(d.ci), ri: Number(d.ri), vet: d.vet ?? "", date: d.date ?? "", time: d.time ?? "" }
  })

/** a free worked slot of column `ci` at or after row `from` */
const freeCell = (page: Page, ci: number, from: number): Promise<Cell> =>
  page.evaluate(
    ([c, f]) => {
      const cells = [...document.querySelectorAll<HTMLElement>(`[data-testid="slot"][data-ci="${c}"][data-free="true"][data-work="true"]`)]
      const el = cells.find(x => Number(x.dataset.ri) >= f)
      if (!el) throw new Error(`no free slot in column ${c} from row ${f}`)
      const d = el.dataset
      return { ci: Number(d.ci), ri: Number(d.ri), vet: d.vet ?? "", date: d.date ?? "", time: d.time ?? "" }
    },
    [ci, from] as const,
  )

/** Arrow keys from the slot with the keyboard to `to`. */
const arrowTo = async (page: Page, to: Cell): Promise<void> => {
  const at = await cursor(page)
  for (let i = at.ci; i !== to.ci; i += Math.sign(to.ci - at.ci)) await page.keyboard.press(to.ci > at.ci ? "ArrowRight" : "ArrowLeft")
  for (let i = at.ri; i !== to.ri; i += Math.sign(to.ri - at.ri)) await page.keyboard.press(to.ri > at.ri ? "ArrowDown" : "ArrowUp")
  await eventually(`the keyboard on ${to.vet} ${to.time}`, async () => {
    const c = await cursor(page)
    return (c.ci === to.ci && c.ri === to.ri) || undefined
  }, 5_000)
}

/** The vet whose column holds an appointment, and its text. */
const placed = (page: Page, id: string): Promise<{ vet: string; text: string }> =>
  page.evaluate(i => {
    const block = document.querySelector<HTMLElement>(`[data-testid="appointment"][data-id="${i}"]`)
    const cell = block?.parentElement?.querySelector<HTMLElement>('[data-testid="slot"]')
    return { vet: cell?.dataset.vet ?? "", text: block?.textContent ?? "" }
  }, id)

/** No sideways scroll of the page at 1024×768. */
const fits = async (page: Page, what: string): Promise<void> => {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
  expect(inner, what).toBe(1024)
  expect(scroll, `${what}: the page is ${scroll} px wide`).toBeLessThanOrEqual(inner)
}

/**
 * The booking grid (issue 11, booking), by keyboard at 1024×768: a column per vet of the roster
 * with working hours and free slots, a free slot booked with Enter, a double booking refused
 * until "Записать всё равно", an appointment moved by keyboard and by mouse, the week of one vet.
 */
describe("the booking grid (browser, relay, one desk)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  const today = localDate(Date.now(), DEFAULT_TIME_ZONE)
  let clients: string[] = []
  let vets: string[] = []
  let first = ""

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    const clinic = await stack.seed({
      seed: "grid-e2e",
      clients: 300,
      patients: 400,
      priceItems: 20,
      vets: 6,
      appointmentsPerDay: 30,
      days: 10,
      startDate: addDays(today, -3),
      now: todayNoon(),
    })
    clients = clinic.clients.slice(10, 13).map(c => c.name)
    vets = [...clinic.vets].sort((a, b) => a.localeCompare(b))
    await stack.startRelay()
    browser = await launchBrowser()
    page = await browser.newPage((await stack.startDesk("desk-g", "G", uiDir)).url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await syncState(page, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  const pickClient = async (name: string): Promise<void> => {
    expect(await focused(page)).toBe("picker-search-input")
    await page.keyboard.type(name)
    await shown(page, `[data-testid="picker-search-hits"][data-query="${name}"] [data-testid="client-hit"]`, `${name} among the hits`)
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="picked-client"]:has-text("${name}")`, `${name} picked`)
  }

  it("shows every vet of the roster side by side with working hours, and books a free slot by keyboard", async () => {
    await page.click('[data-testid="nav-appointments"]')
    await shown(page, '[data-testid="slot-grid"]', "the grid")
    const heads = await page.locator('[data-testid="grid-column"]').evaluateAll(els =>
      els.map(e => ({ text: e.textContent ?? "", right: e.getBoundingClientRect().right, top: e.getBoundingClientRect().top })),
    )
    expect(heads.map(h => h.text)).toEqual(vets)
    expect(new Set(heads.map(h => Math.round(h.top))).size).toBe(1)
    expect(Math.max(...heads.map(h => h.right))).toBeLessThanOrEqual(1024)
    await fits(page, "the day grid")
    // today's working hours are white, the rest hatched (Sunday: none)
    const isSunday = new Date(`${today}T12:00:00Z`).getUTCDay() === 0
    expect(await page.locator('[data-testid="slot"][data-ci="0"][data-work="true"]').count()).toBe(isSunday ? 0 : 36)
    await screens(page, "grid-day")

    // the keyboard into the grid (one Tab stop), arrows to a free slot of the second vet, Enter
    await page.focus('[data-testid="appt-new"]')
    await tabTo(page, "slot")
    const target = await freeCell(page, 1, 8)
    await arrowTo(page, target)
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="booking-form"]', "the booking form")
    // the form opens on that slot: vet and start filled in, the keyboard in its first field
    expect(await page.inputValue('[data-testid="book-vet"]')).toBe(target.vet)
    expect(await page.inputValue('[data-testid="booking-form"] [name="time"]')).toBe(target.time)
    expect(await page.inputValue('[data-testid="booking-form"] [name="date"]')).toBe(clinicToday())
    await pickClient(clients[0] ?? "")
    await tabTo(page, "reason")
    await page.keyboard.type("Осмотр")
    await screens(page, "grid-booking-form")
    await page.keyboard.press("Enter")
    const block = `[data-testid="appointment"]:has-text("${clients[0]}")`
    await shown(page, block, "the booking on the grid")
    first = (await page.getAttribute(block, "data-id")) ?? ""
    expect(await placed(page, first)).toMatchObject({ vet: target.vet })
    expect((await placed(page, first)).text).toContain(target.time)
    // the keyboard is back on the slot
    expect(await cursor(page)).toMatchObject({ ci: target.ci, ri: target.ri })
  })

  it("refuses a double booking before saving, says who is booked then, and books only when told to", async () => {
    const before = await page.locator('[data-testid="appointment"]').count()
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="booking-form"]', "the booking form on the same slot")
    await pickClient(clients[1] ?? "")
    await tabTo(page, "reason")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="overlap-warning"]', "the overlap warning")
    expect(await page.textContent('[data-testid="overlap-warning"]')).toContain(clients[0])
    // nothing was saved, and the keyboard is on the explicit choice
    expect(await page.locator('[data-testid="appointment"]').count()).toBe(before)
    await eventually("the keyboard on «Записать всё равно»", async () => (await focused(page)) === "overlap-warning-anyway" || undefined, 5_000)
    await screens(page, "grid-overlap-warning")
    await page.keyboard.press("Enter")
    await shown(page, `[data-testid="appointment"]:has-text("${clients[1]}")`, "the booking made anyway")
    expect(await page.locator('[data-testid="appointment"]').count()).toBe(before + 1)
    // both are flagged on the grid
    await shown(page, `[data-testid="appointment"][data-id="${first}"] [data-testid="overlap"]`, "the overlap flag")
  })

  it("moves an appointment by keyboard to a later slot, and by mouse to another vet", async () => {
    const from = await placed(page, first)
    await page.focus(`[data-testid="appointment"][data-id="${first}"] [data-testid="appt-move"]`)
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="move-bar"]', "the move bar")
    await eventually("the keyboard in the grid", async () => (await focused(page)) === "slot" || undefined, 5_000)
    const at = await cursor(page)
    const to = await freeCell(page, at.ci, at.ri + 8)
    await arrowTo(page, to)
    await screens(page, "grid-moving")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="booking-notice"]', "moved")
    await eventually("the appointment at its new time", async () => (await placed(page, first)).text.includes(to.time) || undefined, 10_000)
    expect((await placed(page, first)).vet).toBe(from.vet)

    // by mouse: «Перенести», then a free slot of another vet
    await page.click(`[data-testid="appointment"][data-id="${first}"] [data-testid="appt-move"]`)
    const other = await freeCell(page, 4, 4)
    await page.click(`[data-testid="slot"][data-ci="${other.ci}"][data-ri="${other.ri}"]`)
    await eventually("the appointment with another vet", async () => (await placed(page, first)).vet === other.vet || undefined, 10_000)
    expect((await placed(page, first)).text).toContain(other.time)

    // onto a booked slot: refused with who is there, until "Перенести всё равно" (here: Esc cancels)
    const taken = await page.evaluate(f => {
      const live = (x: HTMLElement): boolean => !x.classList.contains("status-cancelled") && !x.classList.contains("status-no_show")
      const b = [...document.querySelectorAll<HTMLElement>('[data-testid="appointment"]')].find(x => x.dataset.id !== f && live(x))
      return b?.dataset.id ?? ""
    }, first)
    expect(taken).not.toBe("")
    await page.click(`[data-testid="appointment"][data-id="${first}"] [data-testid="appt-move"]`)
    const box = await page.locator(`[data-testid="appointment"][data-id="${taken}"]`).boundingBox()
    expect(box).not.toBeNull()
    // the slot under the other booking's top edge
    const col = await page.evaluate(i => {
      const b = document.querySelector<HTMLElement>(`[data-testid="appointment"][data-id="${i}"]`)
      const top = b?.offsetTop ?? 0
      const cells = [...(b?.parentElement?.querySelectorAll<HTMLElement>('[data-testid="slot"]') ?? [])]
      const c = cells.find(x => x.offsetTop >= top - 1)
      return { ci: c?.dataset.ci ?? "", ri: c?.dataset.ri ?? "" }
    }, taken)
    await page.focus(`[data-testid="slot"][data-ci="${col.ci}"][data-ri="${col.ri}"]`)
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="move-warning"]', "the move's overlap warning")
    await page.click('[data-testid="move-cancel"]')
    expect(await page.locator('[data-testid="move-bar"]').count()).toBe(0)
  })

  it("shows one vet's week: seven days of slots, Sunday off, bookable", async () => {
    await page.check('[data-testid="view-week"]')
    await page.selectOption('[data-testid="week-vet"]', { label: vets[2] ?? "" })
    await eventually("seven day columns", async () => (await page.locator('[data-testid="grid-column"]').count()) === 7 || undefined, 10_000)
    await shown(page, '[data-testid="slot-grid"]', "the week grid")
    // the previous vet's week has seven columns too: wait for the chosen vet's
    await eventually(
      `the week of ${vets[2]}`,
      async () => {
        const shownVets = new Set(await page.locator('[data-testid="slot"]').evaluateAll(els => els.map(e => (e as HTMLElement).dataset.vet)))
        return (shownVets.size === 1 && shownVets.has(vets[2])) || undefined
      },
      10_000,
    )
    expect(new Set(await page.locator('[data-testid="slot"]').evaluateAll(els => els.map(e => (e as HTMLElement).dataset.vet)))).toEqual(
      new Set([vets[2]]),
    )
    // Monday–Saturday 09:00–18:00 worked, Sunday not
    expect(await page.locator('[data-testid="slot"][data-ci="6"][data-work="true"]').count()).toBe(0)
    expect(await page.locator('[data-testid="slot"][data-ci="0"][data-work="true"]').count()).toBe(36)
    await fits(page, "the week grid")
    await screens(page, "grid-week")
    // Enter on a free slot of Wednesday opens the form on that day
    await page.focus('[data-testid="appt-new"]')
    await tabTo(page, "slot")
    const wed = await freeCell(page, 2, 8)
    await arrowTo(page, wed)
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="booking-form"]', "the booking form from the week")
    expect(await page.inputValue('[data-testid="book-vet"]')).toBe(vets[2])
    expect(await page.inputValue('[data-testid="booking-form"] [name="date"]')).toBe(
      `${wed.date.slice(8, 10)}.${wed.date.slice(5, 7)}.${wed.date.slice(0, 4)}`,
    )
    await page.keyboard.press("Escape")
    expect(await page.locator('[data-testid="booking-form"]').count()).toBe(0)
  })

  it("opens the day with a booking before working hours in view, not under the vets' names", async () => {
    await page.check('[data-testid="view-day"]')
    await eventually("the day's columns", async () => (await page.locator('[data-testid="grid-column"]').count()) === vets.length || undefined, 10_000)
    // book the first vet at the grid's first row (08:00, before the 09:00 start) by keyboard, from
    // the grid's one Tab stop (wherever the week view left it)
    await page.focus('[data-testid="slot"][tabindex="0"]')
    const at = await cursor(page)
    await arrowTo(page, { ...at, ci: 0, ri: 0 })
    const early = await cursor(page)
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="booking-form"]', "the booking form at 08:00")
    await pickClient(clients[2] ?? "")
    await tabTo(page, "reason")
    await page.keyboard.type("До приема")
    await page.keyboard.press("Enter")
    const block = `[data-testid="appointment"]:has-text("${clients[2]}")`
    await shown(page, block, "the early booking on the grid")
    // the grid opened afresh (another section and back) shows it below the sticky heads
    await page.click('[data-testid="nav-clients"]')
    await page.click('[data-testid="nav-appointments"]')
    await shown(page, block, "the early booking after the grid opened again")
    const b = await page.locator(block).boundingBox()
    const head = await page.locator('[data-testid="grid-column"]').first().boundingBox()
    expect(b && head).toBeTruthy()
    expect(b!.y, `the ${early.time} booking's top against the heads' bottom`).toBeGreaterThanOrEqual(head!.y + head!.height - 1)
    // and the keyboard still starts on the first vet's first working slot
    const firstWorked = await page.evaluate(() =>
      Number(document.querySelector<HTMLElement>('[data-testid="slot"][data-ci="0"][data-work="true"]')?.dataset.ri ?? 0),
    )
    await page.focus('[data-testid="slot"][tabindex="0"]')
    expect(await cursor(page)).toMatchObject({ ci: 0, ri: firstWorked })
    await screens(page, "grid-day-early-booking")
  })
})
