import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DeskEvent } from "../../src/core/api.js"
import { DESK_SECRET_HEADER } from "../../src/host/http/deskApiSecret.js"
import { DeskWebServer } from "../../src/web/DeskWebServer.js"
import { FakeCore } from "../host/fakeCore.js"

let secret = ""
const post = async (url: string, body: string): Promise<{ status: number; json: unknown }> => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", [DESK_SECRET_HEADER]: secret }, body })
  return { status: res.status, json: await res.json() }
}

/** reads SSE frames until `count` data frames arrived */
const readEvents = (url: string, count: number, onOpen: () => void): Promise<DeskEvent[]> =>
  new Promise((ok, fail) => {
    const events: DeskEvent[] = []
    const req = request(url, res => {
      expect(res.headers["content-type"]).toContain("text/event-stream")
      let buf = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        buf += chunk
        let i
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const frame = buf.slice(0, i)
          buf = buf.slice(i + 2)
          if (frame.startsWith("data: ")) events.push(JSON.parse(frame.slice(6)) as DeskEvent)
          if (events.length === 1) onOpen()
          if (events.length >= count) {
            req.destroy()
            ok(events)
            return
          }
        }
      })
    })
    req.on("error", e => (events.length >= count ? undefined : fail(e)))
    req.end()
  })

describe("DeskWebServer", () => {
  const core = new FakeCore()
  let web: DeskWebServer
  let uiDir: string

  beforeAll(async () => {
    uiDir = await mkdtemp(join(tmpdir(), "vetsync-ui-"))
    await mkdir(join(uiDir, "assets"))
    await writeFile(join(uiDir, "index.html"), "<!doctype html><title>desk</title>")
    await writeFile(join(uiDir, "assets", "app.js"), "console.log(1)")
    web = await DeskWebServer.start({ core, port: 0, uiDir })
    secret = web.secret
  })
  afterAll(async () => {
    await web.close()
    await rm(uiDir, { recursive: true, force: true })
  })

  it("binds 127.0.0.1", () => {
    expect(web.url).toBe(`http://127.0.0.1:${web.port}`)
  })

  it("answers POST /api/<command> with ApiResponse", async () => {
    const r = await post(`${web.url}/api/clients.search`, JSON.stringify({ query: "Бим" }))
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ ok: true, value: { echo: "clients.search", args: { query: "Бим" } } })
    const empty = await post(`${web.url}/api/status`, "")
    expect(empty.json).toMatchObject({ ok: true, value: { echo: "status" } })
  })

  it("answers validation errors with fields, unknown commands and bad JSON with bad_request", async () => {
    const v = await post(`${web.url}/api/clients.create`, JSON.stringify({ name: "" }))
    expect(v.json).toMatchObject({ ok: false, error: { code: "validation", fields: [{ field: "name", code: "required" }] } })
    const unknown = await post(`${web.url}/api/nope`, "{}")
    expect(unknown.status).toBe(400)
    expect(unknown.json).toMatchObject({ ok: false, error: { code: "bad_request" } })
    const bad = await post(`${web.url}/api/status`, "{not json")
    expect(bad.status).toBe(400)
    const get = await fetch(`${web.url}/api/status`)
    expect(get.status).toBe(405)
  })

  it("serves the UI, falls back to index.html, and refuses paths outside it", async () => {
    const index = await fetch(`${web.url}/`)
    expect(index.headers.get("content-type")).toContain("text/html")
    const page = await index.text()
    expect(page).toContain("desk")
    expect(page).toContain(`<meta name="vetsync-desk-secret" content="${web.secret}">`)
    const asset = await fetch(`${web.url}/assets/app.js`)
    expect(asset.headers.get("content-type")).toContain("javascript")
    const deep = await fetch(`${web.url}/clients/123`)
    expect(await deep.text()).toContain("<title>desk</title>")
    const escape = await fetch(`${web.url}/..%2f..%2fetc%2fpasswd`)
    expect(await escape.text()).not.toContain("root:")
  })

  it("streams the current status, clinic profile and session, then desk events, as Server-Sent Events", async () => {
    const changed: DeskEvent = { type: "records-changed", collections: ["clients"] }
    const events = await readEvents(`${web.url}/api/events?secret=${web.secret}`, 4, () => core.emit(changed))
    expect(events[0]).toMatchObject({ type: "status" })
    // a page that subscribes after the profile or the staff arrived still gets them (FakeCore echoes)
    expect(events[1]).toMatchObject({ type: "profile", profile: { echo: "clinic.profile" } })
    expect(events[2]).toMatchObject({ type: "session", session: { echo: "session.current" } })
    expect(events[3]).toEqual(changed)
  })
})
