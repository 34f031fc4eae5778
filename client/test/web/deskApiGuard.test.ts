import { statSync, existsSync, mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { PINNED } from "../../src/core/DocFollower.js"
import { DESK_API_SECRET_FILE, DESK_SECRET_HEADER, readDeskApiSecret } from "../../src/host/http/deskApiSecret.js"
import { CLINIC, tmpDir } from "../core/fixtures.js"
import { fingerprint } from "../core/honestCalls.js"
import { raw } from "./rawHttp.js"
import { eventually } from "@vetsync/test-kit"

/**
 * Issue #10 point 6 and issue #9 point 7 on a real desk (DeskCore + DeskWebServer, real sockets):
 * only the desk's own page and local tools holding the secret can call the desk API; a page of
 * another origin, a form post, a DNS-rebinding Host, a missing or wrong secret, a wrong content
 * type and an oversized body are all refused, and none of them writes anything.
 */
describe("the desk API answers only its own UI and local tools with the secret", () => {
  let desk: RunningDesk
  let dataDir: string
  let port: number
  let host: string
  let secret: string

  const json = { "content-type": "application/json" }
  const create = JSON.stringify({ name: "Взломщиков Иван" })
  /** what the desk's own page sends */
  const own = (): Record<string, string> => ({ ...json, host, origin: `http://${host}`, "sec-fetch-site": "same-origin", [DESK_SECRET_HEADER]: secret })

  beforeAll(async () => {
    const root = tmpDir("guard")
    dataDir = path.join(root, "desk")
    const uiDir = path.join(root, "ui")
    mkdirSync(uiDir)
    writeFileSync(path.join(uiDir, "index.html"), "<!doctype html><html><head><title>desk</title></head><body></body></html>")
    desk = await startDesk({ dataDir, clinicId: CLINIC, deskId: "desk-g", deskCode: "G", port: 0, uiDir })
    port = desk.web.port
    host = `127.0.0.1:${port}`
    secret = readDeskApiSecret(dataDir)
    // the desk's own start-up writes (its pinned documents' heads) are over before anything is compared
    await eventually("the desk's pinned documents", () => desk.core.rm.ledger.allDocHeads().length >= PINNED.size, 30_000)
  })
  afterAll(async () => {
    await desk?.close()
  })

  /** a request that must be refused with `status` and `code`, and must write nothing */
  const refused = async (what: string, status: number, code: string, req: Parameters<typeof raw>[1], url = `${desk.url}/api/clients.create`) => {
    const before = fingerprint(desk.core)
    const r = await raw(url, req)
    expect(r.status, what).toBe(status)
    expect(r.json, what).toMatchObject({ ok: false, error: { code } })
    expect(r.headers["access-control-allow-origin"], what).toBeUndefined()
    expect(fingerprint(desk.core), `${what} wrote`).toEqual(before)
    return r
  }

  it("writes the secret for local tools into the data directory, readable by the desk's user only", () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(secret).toBe(desk.web.secret)
    expect(statSync(path.join(dataDir, DESK_API_SECRET_FILE)).mode & 0o777).toBe(0o600)
  })

  it("refuses a page of another origin: cross-origin fetch with a text/plain or JSON body, with or without a guessed secret", async () => {
    for (const origin of ["http://evil.example", "http://127.0.0.1:1", "http://localhost:" + String(port), "null"])
      for (const type of ["text/plain", "application/json"])
        await refused(`${origin} ${type}`, 403, "forbidden", { headers: { host, origin, "content-type": type }, body: create })
    await refused("cross-site fetch with the secret", 403, "forbidden", { headers: { ...own(), origin: "http://evil.example" }, body: create })
    await refused("Sec-Fetch-Site cross-site", 403, "forbidden", { headers: { ...own(), "sec-fetch-site": "cross-site" }, body: create })
    await refused("Sec-Fetch-Site same-site (another port)", 403, "forbidden", { headers: { ...own(), "sec-fetch-site": "same-site" }, body: create })
  })

  it("refuses form posts: urlencoded, multipart and text/plain, cross-site or not", async () => {
    const forms: [string, string][] = [
      ["application/x-www-form-urlencoded", "name=x"],
      ["multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n'],
      ["text/plain", '{"name":"x"}'],
    ]
    for (const [type, body] of forms) {
      await refused(`cross-site form ${type}`, 403, "forbidden", { headers: { host, origin: "http://evil.example", "content-type": type }, body })
      // even from the desk's own origin with its secret: only JSON is taken
      await refused(`form ${type}`, 415, "bad_request", { headers: { ...own(), "content-type": type }, body })
    }
    await refused("no content type", 415, "bad_request", { headers: { host, [DESK_SECRET_HEADER]: secret }, body: create })
  })

  it("refuses a DNS-rebinding Host, for the API and for the page that holds the secret", async () => {
    const rebound = `evil.example:${port}`
    await refused("rebinding API call", 421, "forbidden", { headers: { ...own(), host: rebound, origin: `http://${rebound}` }, body: create })
    const page = await raw(`${desk.url}/`, { method: "GET", headers: { host: rebound } })
    expect(page.status).toBe(421)
    expect(page.body).not.toContain(secret)
  })

  it("refuses a missing or wrong secret (a POST's secret is a header, never the query)", async () => {
    const noSecret = own()
    delete noSecret[DESK_SECRET_HEADER]
    await refused("no secret", 403, "forbidden", { headers: noSecret, body: create })
    await refused("wrong secret", 403, "forbidden", { headers: { ...own(), [DESK_SECRET_HEADER]: secret.slice(1) + "A" }, body: create })
    await refused("secret in the query", 403, "forbidden", { headers: noSecret, body: create }, `${desk.url}/api/clients.create?secret=${secret}`)
    await refused("events without the secret", 403, "forbidden", { method: "GET", headers: { host } }, `${desk.url}/api/events`)
    await refused("events from another origin", 403, "forbidden", { method: "GET", headers: { host, origin: "http://evil.example" } }, `${desk.url}/api/events?secret=${secret}`)
  })

  it("answers an oversized body with 413 and the usual JSON error, before and after sending it, and stays up", async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 0x20)
    await refused("20 MB body", 413, "bad_request", { headers: own(), body: big })
    await refused("20 MB body announced with Expect: 100-continue", 413, "bad_request", {
      headers: { ...own(), expect: "100-continue", "content-length": String(big.length) },
      body: big,
      expectContinue: true,
    })
    const after = await raw(`${desk.url}/api/status`, { headers: own(), body: "{}" })
    expect(after.json).toMatchObject({ ok: true })
  })

  it("serves the page with the secret, unframeable and uncached, and takes the page's own calls and a local tool's", async () => {
    const page = await raw(`${desk.url}/`, { method: "GET", headers: { host } })
    expect(page.body).toContain(`<meta name="vetsync-desk-secret" content="${secret}">`)
    expect(page.headers).toMatchObject({ "cache-control": "no-store", "x-frame-options": "DENY", "cross-origin-resource-policy": "same-origin" })
    const mine = await raw(`${desk.url}/api/clients.create`, { headers: own(), body: create })
    expect(mine.json).toMatchObject({ ok: true, value: { client: { name: "Взломщиков Иван" } } })
    // a local tool: no Origin, the secret from the data directory
    const tool = await fetch(`${desk.url}/api/clients.search`, {
      method: "POST",
      headers: { ...json, [DESK_SECRET_HEADER]: readDeskApiSecret(dataDir) },
      body: JSON.stringify({ query: "Взломщиков" }),
    })
    expect(await tool.json()).toMatchObject({ ok: true, value: { hits: [{ name: "Взломщиков Иван" }], total: 1 } })
    expect(desk.core.rm.counts().clients).toBe(1)
  })

  it("makes a new secret at every start and removes the file at close", async () => {
    const other = path.join(tmpDir("guard2"), "desk")
    const a = await startDesk({ dataDir: other, clinicId: CLINIC, deskId: "desk-h", deskCode: "H", port: 0 })
    const first = readDeskApiSecret(other)
    await a.close()
    expect(existsSync(path.join(other, DESK_API_SECRET_FILE))).toBe(false)
    const b = await startDesk({ dataDir: other, clinicId: CLINIC, deskId: "desk-h", deskCode: "H", port: 0 })
    try {
      expect(readDeskApiSecret(other)).not.toBe(first)
      const stale = await raw(`${b.url}/api/status`, { headers: { ...json, host: `127.0.0.1:${b.web.port}`, [DESK_SECRET_HEADER]: first }, body: "{}" })
      expect(stale.status).toBe(403)
    } finally {
      await b.close()
    }
  })
})
