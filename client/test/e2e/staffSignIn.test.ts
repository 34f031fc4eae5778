import { hashPin } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { seedStaff } from "../core/fixtures.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { focused, screens, shown, syncState, tabTo } from "./harness/keyboard.js"
import { Stack } from "./harness/stack.js"
import { buildUi, removeUi } from "./harness/ui.js"

/**
 * Staff at the desk (issue 11, point 2), by keyboard alone at 1024×768: the sign-in dialog opens
 * by itself in a clinic whose staff have PINs, a change is refused until someone signs in, the
 * member is chosen with the arrow keys and signs in with the PIN and Enter, "switch" replaces them
 * in one step, and "sign out" ends the session.
 */
describe("staff sign-in (browser, relay, one desk)", () => {
  let stack: Stack
  let browser: Browser
  let uiDir: string
  let page: Page
  const sessionName = () => page.textContent('[data-testid="session-name"]')

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await Stack.create()
    const clinic = await stack.seed({
      seed: "staff-e2e",
      clients: 40,
      patients: 50,
      priceItems: 10,
      vets: 2,
      appointmentsPerDay: 4,
      days: 1,
    })
    const cheap = { N: 1024, r: 8, p: 1 }
    await seedStaff(
      stack.relayDir,
      [
        {
          id: "st-vet",
          name: "Смирнова Анна Сергеевна",
          role: "vet",
          active: true,
          pinHash: await hashPin("2468", cheap),
          workingHours: { "1": [{ from: "09:00", to: "18:00" }] },
        },
        {
          id: "st-rec",
          name: "Иванова Мария Сергеевна",
          role: "reception",
          active: true,
          pinHash: await hashPin("1357", cheap),
          workingHours: {},
        },
      ],
      clinic.clinicId,
    )
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

  it("opens the sign-in dialog by itself; Esc closes it; a change is refused while nobody is signed in", async () => {
    await shown(page, '[data-testid="signin"]', "the sign-in dialog")
    // the keyboard starts on the first member (by name: Иванова)
    await eventually(
      "the focus on the first member",
      async () => (await focused(page)) === "signin-member" || undefined,
      10_000,
    )
    await screens(page, "staff-signin-dialog")
    await page.keyboard.press("Escape")
    await eventually(
      "the dialog closed",
      async () => (await page.locator('[data-testid="signin"]').count()) === 0,
      10_000,
    )
    expect(await sessionName()).toMatch(/Никто не вошел/)
    await page.click('[data-testid="nav-clients"]')
    await page.focus('[data-testid="client-new"]')
    await page.keyboard.press("Enter")
    await eventually(
      "the focus in the new client's name",
      async () => (await focused(page)) === "name" || undefined,
      10_000,
    )
    await page.keyboard.type("Неподписанный Клиент")
    // a client without a patient: the patient's fields need not be filled
    await tabTo(page, "with-patient")
    await page.keyboard.press("Space")
    await page.focus('[data-testid="client-create-save"]')
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="form-problems"] [data-code="signed_out"]', "the refusal: sign in first")
    expect(await page.textContent('[data-testid="form-problems"]')).toMatch(/Сначала войдите/)
    // in Russian the refusal is said in Russian only: the desk's English detail is not added
    expect(await page.locator('[data-testid="form-problems"] .form-detail').count()).toBe(0)
    await page.selectOption('[data-testid="lang"]', "en")
    await shown(page, '[data-testid="form-problems"] .form-detail', "the desk's detail, in English")
    await page.selectOption('[data-testid="lang"]', "ru")
    await screens(page, "staff-write-refused")
    await page.keyboard.press("Escape")
  })

  it("signs in by keyboard: arrows choose the member, Tab to the PIN, Enter; a wrong PIN is said", async () => {
    await page.focus('[data-testid="session-signin"]')
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="signin"]', "the sign-in dialog")
    await eventually(
      "the focus on a member",
      async () => (await focused(page)) === "signin-member" || undefined,
      10_000,
    )
    await page.keyboard.press("ArrowDown")
    expect(await page.isChecked('[data-testid="signin-member-st-vet"]')).toBe(true)
    await tabTo(page, "signin-pin")
    await page.keyboard.type("0000")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="signin-problem"][data-code="wrong-pin"]', "wrong PIN")
    expect(await focused(page)).toBe("signin-pin")
    await screens(page, "staff-signin-wrong-pin")
    await page.keyboard.type("2468")
    await page.keyboard.press("Enter")
    await eventually("Смирнова signed in", async () => (await sessionName())?.includes("Смирнова") || undefined, 10_000)
    expect(await page.locator('[data-testid="signin"]').count()).toBe(0)
    // the form refused before is still open: its "sign in first" no longer holds, and it is gone
    expect(await page.locator('[data-testid="client-create-save"]').count()).toBe(1)
    await eventually(
      "the stale refusal gone",
      async () => (await page.locator('[data-code="signed_out"]').count()) === 0,
      10_000,
    )
    // the focus is back on the header, not lost on the page
    expect(await focused(page)).not.toBeNull()
    await screens(page, "staff-signed-in")
  })

  it("switches person in one step, and signs out in one step", async () => {
    await page.focus('[data-testid="session-switch"]')
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="signin"]', "the sign-in dialog")
    await eventually(
      "the focus on a member",
      async () => (await focused(page)) === "signin-member" || undefined,
      10_000,
    )
    await page.keyboard.press("ArrowUp")
    expect(await page.isChecked('[data-testid="signin-member-st-rec"]')).toBe(true)
    await tabTo(page, "signin-pin")
    await page.keyboard.type("1357")
    await page.keyboard.press("Enter")
    await eventually("Иванова signed in", async () => (await sessionName())?.includes("Иванова") || undefined, 10_000)
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
    expect(fits, "no sideways scroll at 1024×768 with a name in the header").toBe(true)
    // and every section's name on one line (a Russian name and "Запись на прием" wrapped it onto three)
    const lines = await page.evaluate(() =>
      [...document.querySelectorAll(".top nav button")].map(b => {
        const r = document.createRange()
        r.selectNodeContents(b)
        return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size
      }),
    )
    expect(lines, "each section's name on one line at 1024×768, someone signed in").toEqual(lines.map(() => 1))
    await screens(page, "staff-signed-in-switched")
    await page.focus('[data-testid="session-signout"]')
    await page.keyboard.press("Enter")
    // the clinic needs a sign-in: the dialog is back
    await shown(page, '[data-testid="signin"]', "the sign-in dialog after signing out")
    expect(await sessionName()).toMatch(/Никто не вошел/)
  })
})
