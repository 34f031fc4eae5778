import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "@vetsync/test-kit"
import { PINNED } from "../../src/core/DocFollower.js"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { CLINIC, tmpDir } from "../core/fixtures.js"
import { fingerprint } from "../core/honestCalls.js"
import { launchBrowser, type Browser } from "./harness/browser.js"
import { fill } from "./harness/page.js"
import { buildUi, removeUi } from "./harness/ui.js"

/** What a page elsewhere tries against the desk; every result is recorded in window.results. */
const attackPage = (desk: string): string => `<!doctype html><meta charset="utf-8"><body><script>
const desk = ${JSON.stringify(desk)}
const body = JSON.stringify({ name: "Злоумышленник" })
const results = (window.results = { forms: 0 })
const attempt = async (name, fn) => { try { results[name] = await fn() } catch (e) { results[name] = "blocked" } }
const form = (enctype, fields) => new Promise(done => {
  const frame = document.createElement("iframe")
  frame.name = "f" + Math.random().toString(16).slice(2)
  document.body.append(frame)
  frame.onload = () => { results.forms++; done() }
  const f = document.createElement("form")
  Object.assign(f, { method: "POST", action: desk + "/api/clients.create", enctype, target: frame.name })
  for (const [k, v] of Object.entries(fields)) { const i = document.createElement("input"); Object.assign(i, { name: k, value: v }); f.append(i) }
  document.body.append(f)
  f.submit()
})
;(async () => {
  await attempt("simplePost", async () => (await fetch(desk + "/api/clients.create", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body }), "sent"))
  await attempt("jsonPost", async () => "read " + (await fetch(desk + "/api/clients.create", { method: "POST", headers: { "content-type": "application/json" }, body })).status)
  await attempt("readPage", async () => await (await fetch(desk + "/")).text())
  results.beacon = navigator.sendBeacon(desk + "/api/clients.create", new Blob([body], { type: "text/plain" }))
  await form("application/x-www-form-urlencoded", { name: "Злоумышленник" })
  await form("multipart/form-data", { name: "Злоумышленник" })
  // the classic JSON CSRF: a text/plain form whose body reads as JSON
  await form("text/plain", { ['{"name":"Злоумышленник","x":"']: '"}' })
  await attempt("events", () => new Promise(done => {
    const es = new EventSource(desk + "/api/events")
    es.onmessage = () => { es.close(); done("read") }
    es.onerror = () => { es.close(); done("blocked") }
  }))
  results.done = true
})()
</script>`

const serve = async (html: (port: number) => string): Promise<Server> => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
    res.end(html((server.address() as AddressInfo).port))
  })
  await new Promise<void>(ok => server.listen(0, "127.0.0.1", ok))
  return server
}

/**
 * Issue #10 point 6 in a real browser: pages of other origins (another host name, another port of
 * 127.0.0.1, a DNS-rebound name) cannot write to the desk or read its secret; the desk's own page can.
 */
describe("the desk in a browser beside pages of other origins", () => {
  let uiDir: string | undefined
  let desk: RunningDesk
  let browser: Browser
  let attacker: Server

  beforeAll(async () => {
    uiDir = await buildUi()
    desk = await startDesk({ dataDir: path.join(tmpDir("e2e-origin"), "desk"), clinicId: CLINIC, deskId: "desk-o", deskCode: "O", port: 0, uiDir })
    await eventually("the desk's pinned documents", () => desk.core.rm.ledger.allDocHeads().length >= PINNED.size, 30_000)
    attacker = await serve(() => attackPage(desk.url))
    // evil.test resolves to this machine, as a DNS-rebinding attacker makes it
    browser = await launchBrowser(["--host-resolver-rules=MAP evil.test 127.0.0.1"])
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.close()
    await new Promise(ok => attacker?.close(ok))
    await removeUi(uiDir)
  })

  it("refuses every write a page of another origin can make, and never shows it the secret", async () => {
    const before = fingerprint(desk.core)
    const { port } = attacker.address() as AddressInfo
    // another host name, and another port of the desk's own 127.0.0.1 (same site, other origin)
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://evil.test:${port}`]) {
      const page = await browser.newPage(`${origin}/`)
      await page.waitForFunction(() => (window as unknown as { results?: { done?: boolean; forms: number } }).results?.done === true)
      const results = await page.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results)
      // (the no-cors POST is sent; its answer is withheld from the page by Cross-Origin-Resource-Policy)
      expect(results, origin).toMatchObject({ jsonPost: "blocked", readPage: "blocked", events: "blocked" })
      // the three form posts reached the desk and were refused: their frames (which only the test can read) say so
      const refusals = async (): Promise<number> => {
        const answers = await Promise.all(page.frames().filter(f => f !== page.mainFrame()).map(f => f.content().catch(() => "")))
        return answers.filter(a => a.includes('"code":"forbidden"')).length
      }
      await eventually(`three refused form posts from ${origin}`, async () => (await refusals()) === 3, 30_000)
      await page.close()
    }
    expect(fingerprint(desk.core)).toEqual(before)
    expect(desk.core.rm.counts().clients).toBe(0)
  })

  it("refuses a DNS-rebound name even on the desk's own port", async () => {
    const rebound = `http://evil.test:${desk.web.port}`
    const page = await browser.newPage(`${rebound}/`)
    expect(await page.content()).not.toContain(desk.web.secret)
    const status = await page.evaluate(
      async () => (await fetch("/api/clients.create", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"x"}' })).status,
    )
    expect(status).toBe(421)
    await page.close()
    expect(desk.core.rm.counts().clients).toBe(0)
  })

  it("takes the writes of the desk's own page", async () => {
    const page = await browser.newPage(desk.url)
    await page.waitForSelector('[data-testid="sync-indicator"]')
    await page.click('[data-testid="nav-clients"]')
    await page.click('[data-testid="client-new"]')
    const form = '[data-testid="client-create"]'
    // a refusal reaches the page as field errors
    await page.click(`${form} [data-testid="client-create-save"]`)
    await page.waitForSelector(`${form} [data-testid="field-error-name"]`)
    await fill(page, form, "name", "Своя Анна")
    await fill(page, form, "petName", "Бублик")
    await fill(page, form, "species", "собака")
    await fill(page, form, "birthDate", "2031-01-01")
    await page.click(`${form} [data-testid="client-create-save"]`)
    await page.waitForSelector(`${form} [data-testid="field-error-birthDate"]`)
    expect(desk.core.rm.counts().clients).toBe(0)
    await fill(page, form, "birthDate", "2021-01-01")
    await page.click(`${form} [data-testid="client-create-save"]`)
    await page.waitForSelector('[data-testid="client-card"] [data-testid="client-name"] >> text=Своя Анна')
    expect(desk.core.rm.counts()).toMatchObject({ clients: 1, patients: 1 })
    await page.close()
  })
})
