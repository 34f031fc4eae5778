import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium, type BrowserContext, type Page } from "playwright-core"

export const CHROMIUM = process.env.VETSYNC_CHROMIUM ?? "/usr/bin/chromium"

export const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: apt-get install -y chromium (or set VETSYNC_CHROMIUM)`

export interface Browser {
  context: BrowserContext
  newPage(url: string): Promise<Page>
  close(): Promise<void>
}

/**
 * Debian's chromium, headless, quiet, with a fresh profile (and `extraArgs`, e.g.
 * --host-resolver-rules), in `locale` (the browser's own language and formats: the desk's
 * screens must not depend on it).
 */
export const launchBrowser = async (extraArgs: readonly string[] = [], locale = "ru-RU"): Promise<Browser> => {
  const missing = chromiumMissing()
  if (missing) throw new Error(missing)
  const profile = await mkdtemp(join(tmpdir(), "vetsync-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    locale,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  })
  return {
    context,
    async newPage(url) {
      const page = await context.newPage()
      // CI runs these beside PostgreSQL and relay tests on two cores: waits are generous
      page.setDefaultTimeout(90_000)
      page.on("pageerror", e => console.error(`[page] ${e.message}`))
      await page.goto(url)
      return page
    },
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
