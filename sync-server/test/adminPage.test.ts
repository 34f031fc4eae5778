import * as net from "node:net"
import * as path from "node:path"
import { useTestDatabase } from "@vetsync/db/testing"
import type { LineFields } from "@vetsync/shared/log"
import { APP_VERSION } from "@vetsync/shared/net"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AdminOverview } from "../src/admin/adminOverview.js"
import { RelayServer } from "../src/RelayServer.js"
import { PgAuthenticator } from "../src/registry/PgAuthenticator.js"
import { clinicAdd, deskAdd, enrol } from "../src/registry/commands.js"
import { deskStatusList, saveDeskReport } from "../src/registry/deskStatus.js"

const TOKEN = "admin-token-0123456789abcdef"
const HOSTILE = `<script>alert("desk")</script>`
const HOUR = 3600_000

const db = useTestDatabase({ prefix: "adminpage" })
let relay: RelayServer
let closed: RelayServer
let online = ""
let offline = ""
let credentialA = ""
/** what the relay logged, in order */
const logged: { line: string; level: string }[] = []

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers, redirect: "manual" })
  return { status: res.status, headers: res.headers, body: await res.text() }
}
/** A desk's report of now: nothing waiting, synced both ways just now. */
const deskReport = () => {
  const sentAt = new Date().toISOString()
  return {
    waiting: 0,
    oldestWaitingAt: null,
    lastSyncInAt: sentAt,
    lastSyncOutAt: sentAt,
    appVersion: APP_VERSION,
    schemaVersion: 1,
    sentAt,
  }
}
const login = (token: string) =>
  fetch(`${relay.url}/admin/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
    redirect: "manual",
  })

beforeAll(async () => {
  await clinicAdd(db.pool, "c1", `Clinic ${HOSTILE}`)
  await clinicAdd(db.pool, "c2", "Empty clinic")
  const auth = await PgAuthenticator.start({ databaseUrl: db.url })
  relay = await RelayServer.start({
    dataDir: path.join(db.dir, "relay"),
    authenticator: auth,
    admin: { token: TOKEN, registry: auth.pool },
    log: (line: string, fields?: LineFields) => logged.push({ line, level: fields?.level ?? "info" }),
  })
  // the same registry, no admin token: the page is off
  closed = await RelayServer.start({
    dataDir: path.join(db.dir, "relay2"),
    authenticator: await PgAuthenticator.start({ databaseUrl: db.url }),
  })

  // desk 1 reports now, as a desk does (its credential, POST /clinics/c1/report): online
  const a = await deskAdd(db.pool, { clinicId: "c1", name: HOSTILE })
  const credA = await enrol(db.pool, a.enrolmentToken)
  online = a.deskId
  credentialA = credA?.credential ?? ""
  const report = deskReport()
  const res = await fetch(`${relay.url}/clinics/c1/report`, {
    method: "POST",
    headers: { authorization: `Bearer ${credA?.credential}`, "content-type": "application/json" },
    body: JSON.stringify(report),
  })
  expect(res.status).toBe(200)
  // desk 2 last reported three hours ago, 14 records waiting since half an hour before that
  const b = await deskAdd(db.pool, { clinicId: "c1", name: "Reception 2" })
  await enrol(db.pool, b.enrolmentToken)
  offline = b.deskId
  const then = new Date(Date.now() - 3 * HOUR)
  await saveDeskReport(
    db.pool,
    { deskId: b.deskId, clinicId: "c1" },
    {
      ...report,
      waiting: 14,
      oldestWaitingAt: new Date(then.getTime() - HOUR / 2).toISOString(),
      sentAt: then.toISOString(),
    },
    then,
    400,
  )
  // (enrolling just now counts as being seen: it last synced when it last reported)
  await db.pool.query("UPDATE desk_credentials SET last_seen_at = $1 WHERE desk_id = $2", [then, b.deskId])
  // desk 3 is not enrolled yet
  await deskAdd(db.pool, { clinicId: "c1", name: "Spare" })
})

afterAll(async () => {
  await relay?.close()
  await closed?.close()
})

describe("the relay's admin page", () => {
  it("is off without an admin token: 404, as any unknown path", async () => {
    for (const p of ["/admin", "/admin.json"]) {
      expect((await get(`${closed.url}${p}`)).status).toBe(404)
      expect((await get(`${closed.url}${p}`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404)
    }
    expect((await fetch(`${closed.url}/admin/login`, { method: "POST", body: `token=${TOKEN}` })).status).toBe(404)
  })

  it("answers 401 without the token or with another, with the sign-in form for a browser", async () => {
    const page = await get(`${relay.url}/admin`)
    expect(page.status).toBe(401)
    expect(page.body).toContain('<form method="post" action="/admin/login?lang=en">')
    expect(page.body).not.toContain("c1")
    for (const authorization of [
      undefined,
      "Bearer wrong-token-0123456789abcdef",
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
    ]) {
      const r = await get(`${relay.url}/admin.json`, authorization ? { authorization } : {})
      expect(r.status, authorization).toBe(401)
      expect(r.body).not.toContain("c1")
    }
  })

  it("lists the registry's clinics and desks for the bearer of the token: the desks list's query, flags, summary", async () => {
    const r = await get(`${relay.url}/admin.json`, { authorization: `Bearer ${TOKEN}` })
    expect(r.status).toBe(200)
    const o = JSON.parse(r.body) as AdminOverview
    expect(o.clinics.map(c => c.clinicId)).toEqual(["c1", "c2"])
    const c1 = o.clinics[0]!
    const listed = JSON.parse(JSON.stringify(await deskStatusList(db.pool, "c1"))) as {
      deskId: string
      state: string
      report: unknown
    }[]
    expect(c1.desks.map(d => [d.deskId, d.state, d.report])).toEqual(listed.map(d => [d.deskId, d.state, d.report]))
    expect(c1.summary).toMatchObject({
      desks: 3,
      enrolled: 2,
      online: 1,
      offline: 1,
      pending: 1,
      revoked: 0,
      waiting: 14,
      flagged: 1,
    })
    const flagged = c1.desks.find(d => d.deskId === offline)!
    expect(flagged.flags.map(f => f.kind)).toEqual(["offline", "waiting"])
    expect(c1.desks.find(d => d.deskId === online)?.flags).toEqual([])
    expect(o.clinics[1]?.summary.desks).toBe(0)
  })

  it("writes names as text: a desk named <script> shows as its name", async () => {
    const r = await get(`${relay.url}/admin`, { authorization: `Bearer ${TOKEN}` })
    expect(r.status).toBe(200)
    expect(r.headers.get("content-security-policy")).toMatch(/default-src 'none'/)
    expect(r.body.toLowerCase()).not.toContain("<script")
    expect(r.body).toContain("&lt;script&gt;alert(&quot;desk&quot;)&lt;/script&gt;")
    expect(r.body).toContain("offline for 3 h")
    expect(r.body).toContain("14 records waiting for 3 h 30 min")
  })

  it("signs a browser in through the form with an HttpOnly, SameSite=Strict cookie, and out again", async () => {
    const wrong = await login("not-the-admin-token-at-all")
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get("set-cookie")).toBeNull()
    expect(await wrong.text()).toContain("That is not the admin token.")
    const right = await login(TOKEN)
    expect(right.status).toBe(303)
    expect(right.headers.get("location")).toBe("/admin?lang=en")
    const setCookie = right.headers.get("set-cookie") ?? ""
    expect(setCookie).toMatch(/^vetsync_admin=v1\.\d+\.[A-Za-z0-9_-]{43}; /)
    expect(setCookie).toContain("HttpOnly")
    expect(setCookie).toContain("SameSite=Strict")
    expect(setCookie).not.toContain(TOKEN)
    const cookie = setCookie.split(";")[0]!
    const page = await get(`${relay.url}/admin`, { cookie })
    expect(page.status).toBe(200)
    expect(page.body).toContain("Sign out")
    expect((await get(`${relay.url}/admin.json`, { cookie })).status).toBe(200)
    // a made-up session is nobody's
    expect((await get(`${relay.url}/admin`, { cookie: `vetsync_admin=${"A".repeat(43)}` })).status).toBe(401)
    expect((await get(`${relay.url}/admin`, { cookie: `vetsync_admin=v1.${Date.now() + 60_000}.${"A".repeat(43)}` })).status).toBe(401)
    const out = await fetch(`${relay.url}/admin/logout`, { method: "POST", headers: { cookie }, redirect: "manual" })
    expect(out.status).toBe(303)
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0")
    expect((await get(`${relay.url}/admin`, { cookie })).status).toBe(401)
  })

  it("stops checking tokens after many wrong ones in a minute; a signed-in session still reads", async () => {
    const cookie = (await login(TOKEN)).headers.get("set-cookie")?.split(";")[0] ?? ""
    let status = 0
    for (let i = 0; i < 30 && status !== 429; i++)
      status = (await get(`${relay.url}/admin.json`, { authorization: `Bearer wrong-${i}-0123456789abcdef` })).status
    expect(status).toBe(429)
    expect((await get(`${relay.url}/admin.json`, { authorization: `Bearer ${TOKEN}` })).status).toBe(429)
    expect((await login(TOKEN)).status).toBe(429)
    expect((await get(`${relay.url}/admin.json`, { cookie })).status).toBe(200)
  })

  it("logs a report its desk cut off mid-body as a warning, not as the relay's error; the desk's next report is taken", async () => {
    const port = Number(new URL(relay.url).port)
    const socket = net.connect(port, "127.0.0.1")
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject))
    socket.write(
      `POST /clinics/c1/report HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${credentialA}\r\n` +
        `content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"waiting": 0,`,
    )
    const cut = (l: { line: string }) => l.line.startsWith("report of c1 cut off by its caller")
    // the relay has read the head and part of the body when the desk goes (a network cut, the desk closing)
    await eventually("the relay reading the report's body", () => socket.bytesWritten > 0, 5_000)
    socket.destroy()
    const line = await eventually("the cut-off report in the relay's log", () => logged.find(cut), 10_000, {
      describe: () => logged.map(l => `${l.level} ${l.line}`).slice(-5).join(" | "),
    })
    expect(line.level).toBe("warn")
    expect(logged.filter(l => l.level === "error").map(l => l.line)).toEqual([])
    const res = await fetch(`${relay.url}/clinics/c1/report`, {
      method: "POST",
      headers: { authorization: `Bearer ${credentialA}`, "content-type": "application/json" },
      body: JSON.stringify(deskReport()),
    })
    expect(res.status).toBe(200)
  })
})
