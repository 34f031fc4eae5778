import * as path from "node:path"
import { startDesk, type RunningDesk } from "@vetsync/client"
import { TestDatabase } from "@vetsync/db/testing"
import { enrolDesk } from "@vetsync/shared"
import { APP_VERSION, DESK_REPORT } from "@vetsync/shared/net"
import { SCHEMA_VERSION } from "@vetsync/shared/schema"
import { PgAuthenticator, RelayServer, clinicAdd, deskAdd, deskStatusList, type DeskStatus } from "@vetsync/sync-server"
import { eventually, productEnv, runCommand, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let db: TestDatabase
let relay: RelayServer
const desks: RunningDesk[] = []
const creds: Record<string, { credential: string; deskId: string }> = {}

const enrol = async (clinicId: string, name: string): Promise<{ dataDir: string; deskId: string }> => {
  const { enrolmentToken, deskId } = await deskAdd(db.pool, { clinicId })
  const dataDir = path.join(db.dir, name)
  const cred = await enrolDesk(relay.syncUrl, enrolmentToken, dataDir)
  creds[name] = { credential: cred.credential, deskId }
  return { dataDir, deskId }
}

const statusOf = async (deskId: string, onlineMs?: number): Promise<DeskStatus | undefined> =>
  (await deskStatusList(db.pool, undefined, onlineMs)).find(d => d.deskId === deskId)

const post = (clinicId: string, credential: string, body: string): Promise<Response> =>
  fetch(`${relay.url}/clinics/${clinicId}/report`, {
    method: "POST",
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body,
  })

/** Honest reports: what a desk may send; each must be accepted. */
const honestReport = fc.record({
  waiting: fc.integer({ min: 0, max: 100_000 }),
  oldestWaitingAt: fc.option(fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }).map(d => d.toISOString()), { nil: null }),
  lastSyncInAt: fc.option(fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }).map(d => d.toISOString()), { nil: null }),
  lastSyncOutAt: fc.option(fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }).map(d => d.toISOString()), { nil: null }),
  appVersion: fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/),
  schemaVersion: fc.integer({ min: 1, max: 1000 }),
  sentAt: fc.constant(new Date().toISOString()),
})

beforeAll(async () => {
  db = await TestDatabase.start({ prefix: "noderegistry" })
  relay = await RelayServer.start({
    dataDir: path.join(db.dir, "relay"),
    authenticator: await PgAuthenticator.start({ databaseUrl: db.url }),
  })
  await clinicAdd(db.pool, "c1")
  await clinicAdd(db.pool, "c2")
})

afterAll(async () => {
  for (const d of desks.splice(0)) await d.close().catch(() => undefined)
  await relay?.close().catch(() => undefined)
  await db?.stop()
})

describe("the node registry", () => {
  it("honest reports pass the report's schema", () => {
    fc.assert(fc.property(honestReport, r => DESK_REPORT.safeParse(r).success))
  })

  it("keeps each desk's reports: the online desk's fresh one, the offline desk's last; vetsync desks list prints both", async () => {
    const a = await enrol("c1", "desk-a")
    const b = await enrol("c1", "desk-b")
    const deskA = await startDesk({ dataDir: a.dataDir, log: () => undefined, core: { reportMs: 500 } })
    desks.push(deskA)
    const deskB = await startDesk({ dataDir: b.dataDir, log: () => undefined, core: { reportMs: 500 } })
    const bReport = await eventually("desk b's report", async () => (await statusOf(b.deskId))?.report, 30_000)
    expect(bReport).toMatchObject({ waiting: 0, appVersion: APP_VERSION, schemaVersion: SCHEMA_VERSION })
    expect(Math.abs(bReport.clockOffsetMs)).toBeLessThan(60_000)
    await eventually("desk a's report", async () => (await statusOf(a.deskId))?.report, 30_000)
    // desk b goes offline
    await deskB.close()
    // a report desk b sent as it closed may still be written after close() resolves (CI: one
    // arrived 370 ms later): its last report is the one that stays unchanged for 1.5 s (3 periods)
    let seen: { at: number; receivedAt: number } | undefined
    const last = await eventually(
      "desk b's last report, unchanged for 1.5 s after it closed",
      async () => {
        const r = (await statusOf(b.deskId))?.report
        if (!r) return undefined
        const now = Date.now()
        if (seen?.receivedAt !== r.receivedAt.getTime()) seen = { at: now, receivedAt: r.receivedAt.getTime() }
        return now - seen.at >= 1_500 ? r : undefined
      },
      30_000,
    )
    // desk a keeps reporting; desk b's last report stays as it was
    const fresh = await eventually(
      "a report of desk a received after desk b went away",
      async () => {
        // online: reported within the last 3 s (it reports every 0.5 s)
        const s = await statusOf(a.deskId, 3_000)
        return s?.report && last && s.report.receivedAt.getTime() > last.receivedAt.getTime() + 4_000 ? s : undefined
      },
      30_000,
    )
    expect(fresh.online).toBe(true)
    const bNow = await statusOf(b.deskId, 3_000)
    expect(bNow?.online).toBe(false)
    expect(bNow?.report).toEqual(last)
    expect(relay.reports.byClinic(new Date()).get("c1")).toMatchObject({ waiting: 0 })

    // `vetsync desks list` as an administrator runs it
    const env = productEnv({ DATABASE_URL: db.url })
    const table = await runCommand(process.execPath, [CLI, "desks", "list", "--clinic", "c1"], { env })
    expect(table.code, table.stderr).toBe(0)
    const lines = table.stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^DESK +CODE +CLINIC +STATE +ONLINE +LAST SEEN +WAITING +OLDEST WAITING +LAST SYNC IN +LAST SYNC OUT +VERSIONS +CLOCK OFFSET$/)
    for (const id of [a.deskId, b.deskId])
      expect(lines.find(l => l.startsWith(`${id} `))).toMatch(new RegExp(`^${id} +D\\d +c1 +enrolled +(online|offline) +20\\S+ +0 +- +`))
    const json = await runCommand(process.execPath, [CLI, "desks", "list", "--clinic", "c1", "--json"], { env })
    expect(json.code, json.stderr).toBe(0)
    const listed = JSON.parse(json.stdout) as { deskId: string; report: { receivedAt: string } | null }[]
    expect(listed.find(d => d.deskId === b.deskId)?.report?.receivedAt).toBe(last?.receivedAt.toISOString())
    expect(listed.find(d => d.deskId === a.deskId)?.report).toBeTruthy()
  })

  it("refuses a malformed report, another clinic's, and a service's, changing nothing", async () => {
    const x = await enrol("c2", "desk-x")
    const good = { ...fc.sample(honestReport, { numRuns: 1, seed: 7 })[0], sentAt: new Date().toISOString() }
    const { credential } = creds["desk-x"]!
    expect((await post("c2", credential, JSON.stringify(good))).status).toBe(200)
    const before = await statusOf(x.deskId)
    expect(before?.report?.waiting).toBe(good.waiting)
    const bad = [
      "not json",
      JSON.stringify({ ...good, waiting: -1 }),
      JSON.stringify({ ...good, waiting: 1.5 }),
      JSON.stringify({ ...good, sentAt: "yesterday" }),
      JSON.stringify({ ...good, appVersion: "<script>" }),
      JSON.stringify({ ...good, extra: 1 }),
      JSON.stringify({ waiting: 3 }),
    ]
    for (const body of bad) {
      const res = await post("c2", credential, body)
      expect(res.status, body).toBe(400)
      expect(await res.text()).toContain("report refused")
    }
    // desk x of c2 reporting as c1: refused before its body is read
    expect((await post("c1", credential, JSON.stringify({ ...good, waiting: 99 }))).status).toBe(403)
    // no credential
    expect((await fetch(`${relay.url}/clinics/c2/report`, { method: "POST", body: JSON.stringify(good) })).status).toBe(401)
    expect((await statusOf(x.deskId))?.report).toEqual(before?.report)
    const c1 = (await deskStatusList(db.pool, "c1")).map(d => d.report?.waiting)
    expect(c1).not.toContain(99)
  })
})
