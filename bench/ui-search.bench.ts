import type { Page } from "playwright-core"
import { launchBrowser } from "@vetsync/client/e2e-harness/browser.js"
import { seedScaleOptions } from "@vetsync/client/e2e-harness/seeded.js"
import { Stack } from "@vetsync/client/e2e-harness/stack.js"
import { buildUi, removeUi } from "@vetsync/client/e2e-harness/ui.js"
import { percentile, type Benchmark } from "./benchmark.js"
import { formatMs, type Row } from "./table.js"

/** What staff type: names, phone digits, pet names, a chip prefix; one keystroke at a time. */
const QUERIES = ["Иванова", "Петров", "Смирн", "Барсик", "Рекс", "912", "+7 9", "Кузнецов Але", "643"]

const usable = async (page: Page): Promise<void> => {
  await page.click('[data-testid="nav-clients"]')
  await page.fill('[data-testid="client-search-input"]', "Иван")
  await page.waitForSelector('[data-testid="client-hit"]', { timeout: 600_000 })
  await page.fill('[data-testid="client-search-input"]', "")
}

/**
 * Types `text` one character at a time inside the page (the input event a keystroke makes) and
 * resolves, per keystroke, the ms from the input event until the hits for exactly that text are in
 * the DOM. Plain JavaScript in a string: tsx's helpers (__name) do not exist in the page.
 */
const IN_PAGE = `async text => {
  const input = document.querySelector('[data-testid="client-search-input"]')
  if (!input) throw new Error("no search input")
  const shown = () => document.querySelector('[data-testid="client-search-hits"]')?.getAttribute("data-query")
  const times = []
  for (let i = 1; i <= text.length; i++) {
    const q = text.slice(0, i)
    if (q.trim() === "") continue
    times.push(await new Promise(resolve => {
      const t0 = performance.now()
      const observer = new MutationObserver(() => {
        if (shown() !== q) return
        observer.disconnect()
        resolve(performance.now() - t0)
      })
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-query"] })
      input.value = q
      input.dispatchEvent(new Event("input", { bubbles: true }))
    }))
  }
  input.value = ""
  input.dispatchEvent(new Event("input", { bubbles: true }))
  return times
}`

const typeMeasured = (page: Page, query: string): Promise<number[]> =>
  page.evaluate<number[]>(`(${IN_PAGE})(${JSON.stringify(query)})`)

/**
 * The desk UI at seed scale, in Debian's chromium through `vetsync desk`'s web server:
 * keystroke-to-render of client search, and cold start of the desk to a usable screen.
 */
export const benchmark: Benchmark = {
  name: "ui-search",
  description:
    "desk UI at seed scale (chromium + DeskWebServer + DeskCore): client search keystroke→rendered hits (p50/p95), and cold start → usable screen",
  run: async () => {
    const uiDir = await buildUi()
    const stack = await Stack.create()
    const browser = await launchBrowser()
    const rows: Row[] = []
    try {
      const clinic = await stack.seed(seedScaleOptions())
      const relay = await stack.startRelay()
      // a relay that has been running: its snapshot of the clinic is built (it starts building at start)
      let t0 = performance.now()
      const snap = await fetch(`${relay.url}/clinics/${encodeURIComponent(clinic.clinicId)}/snapshot`, {
        headers: { "x-vetsync-clinic": clinic.clinicId, "x-vetsync-desk": "bench-probe" },
      })
      await snap.arrayBuffer()
      rows.push({
        measure: "relay start → its snapshot of the clinic is built",
        clients: clinic.clients.length,
        time: formatMs(performance.now() - t0),
      })

      // first start: empty desk, the morning download, until a search over the clinic answers
      t0 = performance.now()
      let desk = await stack.startDesk("bench-desk", "B", uiDir)
      let page = await browser.newPage(desk.url)
      await usable(page)
      rows.push({
        measure: "first start (empty desk → first search hit)",
        clients: clinic.clients.length,
        time: formatMs(performance.now() - t0),
      })
      await page.waitForSelector(
        '[data-testid="sync-indicator"]:not([data-bootstrap="none"]):not([data-bootstrap="snapshot"])',
        { timeout: 600_000 },
      )
      rows.push({
        measure: "first start (empty desk → search covers the whole clinic)",
        clients: clinic.clients.length,
        time: formatMs(performance.now() - t0),
      })
      await page
        .waitForSelector('[data-testid="sync-indicator"][data-state="online"]', { timeout: 600_000 })
        .catch(() => undefined)

      // cold start of an already-downloaded desk: new process objects, the same data dir
      await page.close()
      await desk.close()
      stack.desks.splice(stack.desks.indexOf(desk), 1)
      t0 = performance.now()
      desk = await stack.startDesk("bench-desk", "B", uiDir)
      page = await browser.newPage(desk.url)
      await usable(page)
      rows.push({
        measure: "cold start (downloaded desk → search answers)",
        clients: clinic.clients.length,
        time: formatMs(performance.now() - t0),
      })

      const times: number[] = []
      for (const q of QUERIES) times.push(...(await typeMeasured(page, q)))
      times.sort((a, b) => a - b)
      rows.push({
        measure: `search keystroke → hits in the DOM, p50 (${times.length} keystrokes)`,
        clients: clinic.clients.length,
        time: formatMs(percentile(times, 50)),
      })
      rows.push({
        measure: "search keystroke → hits in the DOM, p95",
        clients: clinic.clients.length,
        time: formatMs(percentile(times, 95)),
      })
      rows.push({
        measure: "search keystroke → hits in the DOM, max",
        clients: clinic.clients.length,
        time: formatMs(times[times.length - 1] ?? Number.NaN),
      })
    } finally {
      await browser.close()
      await stack.close()
      await removeUi(uiDir)
    }
    return rows
  },
}
