import type { Page } from "playwright-core"

/**
 * Waits until the sync indicator shows `state` (and, if given, `waiting` records); "online" also needs the first download done.
 * Returns the label the indicator showed at that same moment: read separately, it could already belong to the next state
 * (a desk online and synced may start its next round a moment later).
 */
export const waitForSync = async (page: Page, state: string, waiting?: number, timeout = 120_000): Promise<string> => {
  const done = state === "online" ? '[data-bootstrap="done"]' : ""
  const sel = `[data-testid="sync-indicator"][data-state="${state}"]${done}${waiting === undefined ? "" : `[data-waiting="${waiting}"]`}`
  const label = await page.waitForFunction(
    (s: string) => document.querySelector(s)?.querySelector('[data-testid="sync-label"]')?.textContent ?? null,
    sel,
    { timeout },
  )
  return String(await label.jsonValue())
}

export const waitingRecords = async (page: Page): Promise<number> =>
  Number(await page.getAttribute('[data-testid="sync-indicator"]', "data-waiting"))

export const syncLabel = async (page: Page): Promise<string> => (await page.textContent('[data-testid="sync-label"]')) ?? ""

export const fill = async (page: Page, scope: string, name: string, value: string): Promise<void> => {
  await page.fill(`${scope} [name="${name}"]`, value)
}
