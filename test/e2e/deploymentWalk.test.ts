import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EmbeddedPg } from "@vetsync/db"
import { sampleProfile } from "@vetsync/test-kit/seed"
import { launchBrowser, type Browser } from "@vetsync/client/e2e-harness/browser.js"
import { focused, screens, shown, syncState } from "@vetsync/client/e2e-harness/keyboard.js"
import { eventually, freePort, productEnv, REPO_ROOT as REPO, runCommand, SupervisedProcess, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import pg from "pg"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bookToday, issueInvoice, registerClient, setAppointmentStatus } from "./frontDesk.js"

const CLINIC = "clinic-1"
/** far from UTC, and from the desks' machines (they run in Los Angeles' zone): the clinic's day is its own */
const ZONE = "Asia/Vladivostok"

/** The clinic's date now, YYYY-MM-DD. */
const clinicDay = (): string => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, dateStyle: "short" }).format(new Date())

/**
 * Issue 10 point 8: the README's "Against a real deployment", step by step, from an empty
 * PostgreSQL to a morning's work at two desks. PostgreSQL is embedded (step 1 takes any
 * DATABASE_URL); everything else runs as the README says: the registry through `vetsync clinics`,
 * `services`, `desks` and `price` commands (each its own process), `vetsync server`, `vetsync
 * bridge`, and two `vetsync desk --data-dir DIR` processes enrolled through their first-run screens
 * in Chromium, by keyboard. Staff at both desks register clients, book, mark arrivals and issue and
 * take payment for invoices; every invoice then is a row of PostgreSQL with its desk's code, the
 * clinic's year and month in its number, and the clinic's day in the reports.
 */
describe("the README's deployment walk-through: one clinic, two desks, from zero", () => {
  let dir: string
  let cluster: EmbeddedPg
  let databaseUrl: string
  let pool: pg.Pool
  let relay: SupervisedProcess
  let bridge: SupervisedProcess
  let relayUrl: string
  const desks: { proc: SupervisedProcess; url: string; page?: Page; code: string; token: string }[] = []
  let browser: Browser
  const issued: { number: string; total: number; paid: boolean }[] = []

  /** `vetsync ARGS` as the administrator types it, with DATABASE_URL; its printed lines */
  const vetsync = async (...args: string[]): Promise<string[]> => {
    const r = await runCommand(process.execPath, [CLI, ...args], { cwd: dir, env: productEnv({ DATABASE_URL: databaseUrl }) })
    if (r.code !== 0) throw new Error(`vetsync ${args.join(" ")} exited ${r.code}: ${r.stderr}`)
    return r.stdout.trim().split("\n")
  }
  const service = (name: string, args: string[], env: Record<string, string>): SupervisedProcess =>
    new SupervisedProcess({ name, command: process.execPath, args: [CLI, ...args], env: productEnv(env), cwd: dir, logFile: join(dir, `${name}.log`) })
  const tail = (p: SupervisedProcess) => (): string => `${p.name}: ${p.logOfThisStart().slice(-1500)}`

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vetsync-deploy-"))
    cluster = await new EmbeddedPg({ dir: join(dir, "pg"), fast: true, scratch: true }).start()
    databaseUrl = await cluster.createDatabase("vetsync")
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    pool.on("error", () => undefined)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    for (const p of [...desks.map(d => d.proc), bridge, relay]) await p?.stop()
    await pool?.end()
    await cluster?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("step 2: the registry — the clinic, its profile and time zone, the bridge's credential, two desks, the price list", async () => {
    expect(await vetsync("clinics", "add", CLINIC)).toEqual([`clinic ${CLINIC} added`])
    // requisites that pass their control digits (a generated organisation's), printed on the invoices
    const p = sampleProfile("deployment-walk")
    const set = await vetsync(
      "clinics", "set", CLINIC, "--name", "Ветклиника «Айболит»", "--legal-name", p.legalName,
      "--address", "690091, г. Владивосток, ул. Светланская, д. 1", "--phone", "+7 423 222-33-44",
      "--inn", p.inn, "--kpp", p.kpp, "--ogrn", p.ogrn, "--bank", p.bankName,
      "--bik", p.bik, "--account", p.account, "--corr-account", p.correspondentAccount, "--tz", ZONE,
    )
    expect(set.join("\n"), set.join("\n")).toContain(`--tz           ${ZONE}`)
    const bridgeCredential = (await vetsync("services", "add", "bridge")).at(-1) ?? ""
    for (const expected of ["D1", "D2"]) {
      const lines = await vetsync("desks", "add", "--clinic", CLINIC)
      expect(lines[0]).toContain(`(code ${expected})`)
      desks.push({ proc: undefined as unknown as SupervisedProcess, url: "", code: expected, token: lines.at(-1) ?? "" })
    }
    await vetsync("price", "set", "--clinic", CLINIC, "--code", "S001", "--price", "1500", "--name", "Консультация терапевта")
    await vetsync("price", "set", "--clinic", CLINIC, "--code", "S002", "--price", "2350.50", "--name", "Вакцинация комплексная")
    await vetsync("price", "set", "--clinic", CLINIC, "--code", "P001", "--price", "799.99", "--name", "Корм 1 кг", "--kind", "product", "--unit", "шт")
    // the vets the desks book with: the clinic's staff list (no PINs here, so nobody signs in)
    for (const vet of ["Иванова А. П.", "Петров С. В."])
      await vetsync("staff", "add", "--clinic", CLINIC, "--name", vet, "--role", "vet", "--hours", "1-7 08:00-20:00")
    expect((await vetsync("staff", "list", "--clinic", CLINIC)).join("\n")).toMatch(/Иванова А\. П\.[\s\S]*Петров С\. В\./)

    // step 3: the relay, with the registry
    const port = await freePort()
    relayUrl = `http://127.0.0.1:${port}`
    relay = service("relay", ["server"], { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", VETSYNC_DATA_DIR: join(dir, "relay") })
    relay.start()
    await eventually("the relay to be ready", async () => (await fetch(`${relayUrl}/ready`).catch(() => null))?.status === 200, 90_000, { describe: tail(relay) })

    // step 4: the bridge, with its credential
    bridge = service("bridge", ["bridge"], { DATABASE_URL: databaseUrl, VETSYNC_RELAY_URL: `ws://127.0.0.1:${port}/sync`, VETSYNC_RELAY_CREDENTIAL: bridgeCredential, VETSYNC_BRIDGE_PORT: "0" })
    bridge.start()
    await eventually("the bridge to start", () => bridge.logOfThisStart().includes("bridge started"), 90_000, { describe: tail(bridge) })
  })

  it("step 5: the UI is built once, and each desk enrols through its first-run screen", async () => {
    const built = await runCommand("npm", ["run", "build:ui", "--workspace", "@vetsync/client"], { cwd: REPO, ms: 300_000 })
    expect(built.code, built.stderr).toBe(0)
    for (const [i, desk] of desks.entries()) {
      const port = await freePort()
      desk.url = `http://127.0.0.1:${port}`
      // the desks' machines are in another zone than the clinic: only the clinic's counts
      desk.proc = service(`desk-${i + 1}`, ["desk", "--data-dir", join(dir, `desk-${i + 1}`), "--port", String(port)], { TZ: "America/Los_Angeles" })
      desk.proc.start()
      await eventually(`desk ${i + 1} to serve its page`, async () => (await fetch(desk.url).catch(() => null))?.status === 200, 90_000, { describe: tail(desk.proc) })
      const page = await browser.newPage(desk.url)
      desk.page = page
      await page.setViewportSize({ width: 1024, height: 768 })
      await shown(page, '[data-testid="setup-first-run"]', "the first-run screen")
      expect(await focused(page)).toBe("relay")
      await page.keyboard.type(relayUrl)
      await page.keyboard.press("Tab")
      await page.keyboard.type(desk.token)
      await page.keyboard.press("Enter")
      await syncState(page, "online", 0)
      // the clinic's price list and profile arrived through the bridge
      await page.click('[data-testid="nav-appointments"]')
      await eventually("the clinic's time zone on the desk", async () => !(await page.locator('[data-testid="zone-default"]').isVisible()), 60_000)
    }
    await screens(desks[0]!.page!, "deploy-10-enrolled")
  })

  it("a morning's work at both desks", async () => {
    const [one, two] = desks.map(d => d.page!) as [Page, Page]
    // desk 1: a new client with her cat, booked for 09:30, billed and paid
    await registerClient(one, { name: "Смирнова Ольга Петровна", phone: "+7 914 555-44-33", pet: "Барсик", species: "кошка" })
    await bookToday(one, { client: "Смирнова Ольга Петровна", vet: "Иванова А. П.", time: "09:30", reason: "Вакцинация", zone: ZONE })
    // desk 2: a walk-in with his dog, booked for 10:00
    await registerClient(two, { name: "Орлов Пётр Иванович", phone: "+7 914 777-11-22", pet: "Шарик", species: "собака" })
    await bookToday(two, { client: "Орлов Пётр Иванович", vet: "Петров С. В.", time: "10:00", reason: "Осмотр", zone: ZONE })
    // desk 2 sees desk 1's booking, and marks her arrived
    await setAppointmentStatus(two, "Смирнова Ольга Петровна", "arrived")
    issued.push(await issueInvoice(one, { client: "Смирнова Ольга Петровна", items: [1, 0], qty: "1", pay: true }))
    issued.push(await issueInvoice(two, { client: "Орлов Пётр Иванович", items: [0, 2], qty: "2", pay: false }))
    issued.push(await issueInvoice(two, { client: "Смирнова Ольга Петровна", items: [2], qty: "3", pay: true }))
    for (const d of desks) await syncState(d.page!, "online", 0)
    await screens(two, "deploy-20-morning")
    expect(issued.map(i => i.number.slice(0, 2))).toEqual(["D1", "D2", "D2"])
  })

  it("every invoice is in PostgreSQL, numbered and dated in the clinic's time zone", async () => {
    const day = clinicDay()
    const yymm = day.slice(2, 4) + day.slice(5, 7)
    const rows = await eventually(
      "the morning's invoices in PostgreSQL",
      async () => {
        const r = await pool.query<{ number: string; status: string; total: string; day: string }>(
          `SELECT number, status, total_kopecks::text AS total, to_char(issued_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day
             FROM invoices WHERE clinic_id = $1 ORDER BY number`,
          [CLINIC, ZONE],
        )
        return r.rows.length === issued.length && r.rows.filter(x => x.status === "paid").length === 2 && r.rows
      },
      120_000,
    )
    expect(rows.map(r => r.number)).toEqual(issued.map(i => i.number).sort())
    for (const r of rows) {
      expect(r.number).toMatch(new RegExp(`^D[12]-${yymm}-\\d{5}$`))
      expect(r.day).toBe(day)
      const shown = issued.find(i => i.number === r.number)!
      expect(r.status).toBe(shown.paid ? "paid" : "issued")
      expect(Number(r.total)).toBe(Math.round(shown.total * 100))
    }
    const revenue = await pool.query<{ day: string; total: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, revenue_kopecks::text AS total FROM report_revenue_per_day WHERE clinic_id = $1`,
      [CLINIC],
    )
    expect(revenue.rows).toEqual([{ day, total: String(rows.reduce((s, r) => s + Number(r.total), 0)) }])
    const visits = await pool.query<{ at: string; status: string }>(
      `SELECT to_char(starts_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI') AS at, status FROM appointments WHERE clinic_id = $1 ORDER BY starts_at`,
      [CLINIC, ZONE],
    )
    expect(visits.rows).toEqual([
      { at: `${day} 09:30`, status: "arrived" },
      { at: `${day} 10:00`, status: "scheduled" },
    ])
    const people = await pool.query<{ clients: string; patients: string }>(
      `SELECT (SELECT count(*) FROM clients WHERE clinic_id = $1)::text AS clients, (SELECT count(*) FROM patients WHERE clinic_id = $1)::text AS patients`,
      [CLINIC],
    )
    expect(people.rows[0]).toEqual({ clients: "2", patients: "2" })
  })
})
