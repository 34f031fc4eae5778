import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { reports } from "@vetsync/bridge"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClinicStack } from "./helpers/ClinicStack.js"

/**
 * Issue 10 point 4: a desk counts days in its clinic's time zone, not its machine's. The clinic is
 * in Vladivostok (UTC+10); the desk runs in a process whose OS zone is America/New_York (UTC-5),
 * its clock at 2026-11-30 22:30 UTC: 08:30 on 1 December in the clinic, 17:30 on 30 November on
 * the machine and in UTC. Everything it writes reaches PostgreSQL through the relay and the bridge,
 * and the reports put it on the clinic's 1 December.
 */
const CLINIC = "clinic-vvo"
const NOW = "2026-11-30T22:30:00.000Z"
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "helpers/zoneDeskChild.ts")

interface ChildResult {
  os: { zone: string; offsetMinutes: number; date: string }
  clinic: { timeZone: string; timeZoneSource: string; today: string }
  invoice: { number: string; docKey: string }
  appointment: { id: string; docKey: string }
  today: string[]
  yesterday: string[]
}

/** Runs the child desk with TZ set; resolves with its RESULT line. */
const runDesk = (dataDir: string, server: string, tz: string): Promise<ChildResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dataDir, server, NOW], {
      env: { ...process.env, TZ: tz },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    child.once("close", code => {
      const line = out.split("\n").find(l => l.startsWith("RESULT "))
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ChildResult)
      else reject(new Error(`desk process exited ${code}: ${err.slice(-2000)}`))
    })
  })

describe("a desk on a machine in another time zone than its clinic's", () => {
  let stack: ClinicStack

  beforeAll(async () => {
    stack = await ClinicStack.start("os-zone")
    await stack.addClinic(CLINIC, { name: "Приморская ветклиника", timeZone: "Asia/Vladivostok" }, [
      { code: "S001", name: "Консультация", price: 150000 },
    ])
  })
  afterAll(async () => {
    await stack?.close()
  })

  it("counts today, the day view, the partition, the invoice number and the reports in the clinic's zone", async () => {
    const { dataDir } = await stack.enrol(CLINIC, "desk-ny")
    const r = await runDesk(dataDir, stack.relay.syncUrl, "America/New_York")
    // the machine really was on New York time: 17:30 on Monday 30 November
    expect(r.os).toEqual({ zone: "America/New_York", offsetMinutes: 300, date: "Mon Nov 30 2026" })
    expect(r.clinic).toMatchObject({ timeZone: "Asia/Vladivostok", timeZoneSource: "clinic", today: "2026-12-01" })
    expect(r.invoice).toEqual({ number: "D1-2612-00001", docKey: "invoices/2026-12" })
    expect(r.appointment.docKey).toBe("appointments/2026-12")
    expect(r.today).toEqual([r.appointment.id])
    expect(r.yesterday).toEqual([])

    // in PostgreSQL, the reports count them on the clinic's 1 December
    await eventually(
      "the invoice and the appointment in PostgreSQL",
      async () =>
        (await stack.pool.query("SELECT 1 FROM invoices WHERE number = $1", [r.invoice.number])).rows.length === 1 &&
        (await stack.pool.query("SELECT 1 FROM appointments WHERE id = $1", [r.appointment.id])).rows.length === 1,
      60_000,
    )
    expect(await reports.revenuePerDay(stack.pool, CLINIC, "2026-11-01", "2027-01-01")).toEqual([
      { day: "2026-12-01", invoices: 1, revenue_kopecks: 150000 },
    ])
    expect((await reports.appointmentsPerVetDay(stack.pool, CLINIC)).map(a => [a.vet, a.day])).toEqual([
      ["Ли", "2026-12-01"],
    ])
  })
})
