import { mkdirSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDesk, type RunningDesk } from "../../src/web/desk.js"
import { DESK_SECRET_HEADER } from "../../src/host/http/deskApiSecret.js"
import { tmpDir } from "../core/fixtures.js"
import { raw } from "./rawHttp.js"

const TOKEN = `vse1.front-1.${"A".repeat(43)}`

/**
 * The setup API (client/src/setup) before the desk has an identity sits behind the same guard as
 * the desk API: Host, Origin, JSON only, the per-start secret. A page elsewhere cannot point the
 * desk at a relay of its choosing, hand it a token, or learn anything about it; the desk API
 * answers `unavailable` until the desk is enrolled.
 */
describe("the setup API answers only the desk's own page and local tools with the secret", () => {
  let desk: RunningDesk
  let relay: Server
  /** token exchanges that reached the (fake) relay */
  const exchanges: string[] = []
  let host: string
  let secret: string

  const json = { "content-type": "application/json" }
  const own = (): Record<string, string> => ({ ...json, host, origin: `http://${host}`, "sec-fetch-site": "same-origin", [DESK_SECRET_HEADER]: secret })
  const enrolBody = (): string => JSON.stringify({ relay: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`, token: TOKEN })
  const api = (command: string): string => `${desk.url}/api/${command}`

  beforeAll(async () => {
    // a relay stand-in with a registry: answers the desk's probe (no token: 400) and refuses every token (403)
    relay = createServer((req, res) => {
      let body = ""
      req.on("data", (c: Buffer) => (body += c.toString()))
      req.on("end", () => {
        const token = (JSON.parse(body || "{}") as { token?: string }).token
        if (token) exchanges.push(token)
        res.writeHead(token ? 403 : 400, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: token ? "enrolment token unknown, used, expired or revoked" : "body must be JSON" }))
      })
    })
    await new Promise<void>(ok => relay.listen(0, "127.0.0.1", ok))
    const root = tmpDir("setup-guard")
    const uiDir = path.join(root, "ui")
    mkdirSync(uiDir)
    writeFileSync(path.join(uiDir, "index.html"), "<!doctype html><html><head><title>desk</title></head><body></body></html>")
    desk = await startDesk({ dataDir: path.join(root, "desk"), server: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}/sync`, port: 0, uiDir, log: () => undefined })
    host = `127.0.0.1:${desk.web.port}`
    secret = desk.web.secret
  })
  afterAll(async () => {
    await desk?.close()
    await new Promise(ok => relay?.close(ok))
  })

  /** a request that must be refused with `status` and `code`, and must not reach the relay or change the desk */
  const refused = async (what: string, status: number, code: string, req: Parameters<typeof raw>[1], url = api("setup.enrol")) => {
    const r = await raw(url, req)
    expect(r.status, what).toBe(status)
    expect(r.json, what).toMatchObject({ ok: false, error: { code } })
    expect(r.headers["access-control-allow-origin"], what).toBeUndefined()
    expect(exchanges, `${what} reached the relay`).toEqual([])
    expect(desk.host.status(), what).toMatchObject({ phase: "needs-enrolment", failure: null })
  }

  it("waits for enrolment, and its page and setup status need nothing but the desk's own origin", async () => {
    expect(desk.host.phase).toBe("needs-enrolment")
    const page = await raw(`${desk.url}/`, { method: "GET", headers: { host } })
    expect(page.body).toContain(`<meta name="vetsync-desk-secret" content="${secret}">`)
    const status = await raw(api("setup.status"), { headers: own(), body: "{}" })
    expect(status.json).toMatchObject({ ok: true, value: { phase: "needs-enrolment", relay: expect.stringContaining("ws://127.0.0.1:"), deskId: null } })
  })

  it("refuses a page of another origin, with or without a guessed secret, and the Sec-Fetch-Site of another site", async () => {
    for (const origin of ["http://evil.example", `http://127.0.0.1:${(relay.address() as AddressInfo).port}`, `http://localhost:${desk.web.port}`, "null"])
      for (const type of ["text/plain", "application/json"]) {
        await refused(`${origin} ${type} enrol`, 403, "forbidden", { headers: { host, origin, "content-type": type }, body: enrolBody() })
        await refused(`${origin} ${type} status`, 403, "forbidden", { headers: { host, origin, "content-type": type }, body: "{}" }, api("setup.status"))
      }
    await refused("cross-site with the secret", 403, "forbidden", { headers: { ...own(), origin: "http://evil.example" }, body: enrolBody() })
    await refused("Sec-Fetch-Site cross-site", 403, "forbidden", { headers: { ...own(), "sec-fetch-site": "cross-site" }, body: enrolBody() })
    await refused("Sec-Fetch-Site same-site", 403, "forbidden", { headers: { ...own(), "sec-fetch-site": "same-site" }, body: enrolBody() })
  })

  it("refuses form posts, a missing or wrong secret, and a DNS-rebinding Host", async () => {
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "text/plain"]) {
      await refused(`cross-site form ${type}`, 403, "forbidden", { headers: { host, origin: "http://evil.example", "content-type": type }, body: enrolBody() })
      await refused(`own form ${type}`, 415, "bad_request", { headers: { ...own(), "content-type": type }, body: enrolBody() })
    }
    const noSecret = own()
    delete noSecret[DESK_SECRET_HEADER]
    await refused("no secret", 403, "forbidden", { headers: noSecret, body: enrolBody() })
    await refused("wrong secret", 403, "forbidden", { headers: { ...own(), [DESK_SECRET_HEADER]: `${secret.slice(1)}A` }, body: enrolBody() })
    await refused("secret in the query", 403, "forbidden", { headers: noSecret, body: enrolBody() }, `${api("setup.enrol")}?secret=${secret}`)
    const rebound = `evil.example:${desk.web.port}`
    await refused("rebinding", 421, "forbidden", { headers: { ...own(), host: rebound, origin: `http://${rebound}` }, body: enrolBody() })
    await refused("events without the secret", 403, "forbidden", { method: "GET", headers: { host } }, `${desk.url}/api/events`)
  })

  it("answers the desk API with `unavailable` (503) until the desk is enrolled", async () => {
    for (const command of ["status", "clients.search", "clients.create", "invoices.create"]) {
      const r = await raw(api(command), { headers: own(), body: JSON.stringify({ query: "x", name: "x" }) })
      expect(r.status, command).toBe(503)
      expect(r.json, command).toMatchObject({ ok: false, error: { code: "unavailable" } })
    }
  })

  it("parses the setup calls' arguments before anything is sent", async () => {
    const extra = await raw(api("setup.enrol"), { headers: own(), body: JSON.stringify({ relay: "x", token: "y", to: "evil" }) })
    expect(extra.json).toMatchObject({ ok: false, error: { code: "validation", fields: [{ field: "to", code: "unknown_field" }] } })
    const missing = await raw(api("setup.enrol"), { headers: own(), body: JSON.stringify({ relay: "x" }) })
    expect(missing.json).toMatchObject({ ok: false, error: { code: "validation", fields: [{ field: "token", code: "required" }] } })
    const list = await raw(api("setup.enrol"), { headers: own(), body: "[]" })
    expect(list.status).toBe(400)
    const long = await raw(api("setup.enrol"), { headers: own(), body: JSON.stringify({ relay: "x".repeat(3000), token: "y" }) })
    expect(long.json).toMatchObject({ ok: false, error: { code: "validation", fields: [{ field: "relay", code: "too_long" }] } })
    const notNow = await raw(api("setup.moveAside"), { headers: own(), body: JSON.stringify({ dataClinicId: "a" }) })
    expect(notNow.json).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect(exchanges).toEqual([])
  })

  it("takes the page's own enrolment: the token goes to the relay it names, once, and the refusal comes back explained", async () => {
    const r = await raw(api("setup.enrol"), { headers: own(), body: enrolBody() })
    expect(r.json).toMatchObject({ ok: true, value: { phase: "needs-enrolment", failure: { code: "token-refused", field: "token" } } })
    expect(exchanges).toEqual([TOKEN])
    // a local tool (no Origin) with the secret may drive the setup too
    const tool = await fetch(api("setup.status"), { method: "POST", headers: { ...json, [DESK_SECRET_HEADER]: secret }, body: "{}" })
    const text = await tool.text()
    expect(JSON.parse(text)).toMatchObject({ ok: true, value: { failure: { code: "token-refused" } } })
    // the token is never repeated back
    expect(text).not.toContain(TOKEN)
  })
})
