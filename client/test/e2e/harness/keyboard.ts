import { eventually } from "@vetsync/test-kit"
import type { Page } from "playwright-core"
import { screenshot } from "../screens.js"

/** Waits until `selector` is on screen. */
export const shown = (page: Page, selector: string, what: string, ms = 60_000): Promise<true> =>
  eventually(what, async () => (await page.locator(selector).first().isVisible()) || undefined, ms)

/** The name (or test id) of the focused element: where the keyboard is. */
export const focused = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.getAttribute("data-testid") ?? null)

/** Replaces the focused field's text, as staff would: select all, type. */
export const retype = async (page: Page, text: string): Promise<void> => {
  await page.keyboard.press("Control+A")
  await page.keyboard.type(text)
}

/** Presses Tab until the element with this name or test id has the focus (at most 12 times). */
export const tabTo = async (page: Page, target: string): Promise<void> => {
  for (let i = 0; i < 12 && (await focused(page)) !== target; i++) await page.keyboard.press("Tab")
  const at = await focused(page)
  if (at !== target) throw new Error(`Tab never reached ${target} (focus on ${at ?? "nothing"})`)
}

/** The sync indicator says `state` (online: also downloaded), with `waiting` records if given. */
export const syncState = (page: Page, state: string, waiting?: number, ms = 120_000): Promise<true> =>
  shown(
    page,
    `[data-testid="sync-indicator"][data-state="${state}"]${state === "online" ? '[data-bootstrap="done"]' : ""}${waiting === undefined ? "" : `[data-waiting="${waiting}"]`}`,
    `the sync indicator ${state}${waiting === undefined ? "" : ` with ${waiting} waiting`}`,
    ms,
  )

const SIZES = [
  [1024, 768],
  [1920, 1080],
] as const

/** Screenshots of what is on screen at 1024×768 and 1920×1080, in Russian and English; back to Russian at 1024×768. */
export const screens = async (page: Page, name: string): Promise<string[]> => {
  const taken: string[] = []
  for (const lang of ["ru", "en"] as const) {
    await page.selectOption('[data-testid="lang"]', lang)
    await eventually(`the page in ${lang}`, () => page.evaluate(l => document.documentElement.lang === l, lang), 5_000)
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height })
      taken.push(await screenshot(page, `${name}-${lang}-${width}`))
    }
  }
  await page.selectOption('[data-testid="lang"]', "ru")
  await page.setViewportSize({ width: 1024, height: 768 })
  return taken
}
