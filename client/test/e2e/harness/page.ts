import type { Page } from "playwright-core"

/** Waits until the sync indicator shows `state` (and, if given, `waiting` records); "online" also needs the first download done. */
export const waitForSync = async (page: Page, state: string, waiting?: number, timeout = 120_000): Promise<void> => {
  const done = state === "online" ? '[data-bootstrap="done"]' : ""
  const sel = `[data-testid="sync-indicator"][data-state="${state}"]${done}${waiting === undefined ? "" : `[data-waiting="${waiting}"]`}`
  await page.waitForSelector(sel, { timeout })
}

export const waitingRecords = async (page: Page): Promise<number> =>
  Number(await page.getAttribute('[data-testid="sync-indicator"]', "data-waiting"))

export const syncLabel = async (page: Page): Promise<string> => (await page.textContent('[data-testid="sync-label"]')) ?? ""

export const fill = async (page: Page, scope: string, name: string, value: string): Promise<void> => {
  await page.fill(`${scope} [name="${name}"]`, value)
}
