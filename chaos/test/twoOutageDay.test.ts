import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Cluster } from "../Cluster.js"
import type { DeskAnswer } from "../DeskClient.js"
import { refusals } from "../evidence.js"

/**
 * Issue #9's "ordinary day" that locked a desk out: relay, bridge and two desks as separate
 * processes, registry in PostgreSQL. Two outages of the relay (a clean stop, then kill -9), work
 * on both desks while it is away (a booking for today, an arrival, a payment; a desk restarted
 * during the second), and after each the desks are green again and everything is in PostgreSQL.
 */
const ok = <T>(what: string, a: DeskAnswer<T>): T => {
  if (a.kind !== "ok") throw new Error(`${what}: ${JSON.stringify(a)}`)
  return a.value
}

const todayAt = (hour: number, minute = 0): string => {
  const d = new Date()
  d.setUTCHours(hour, minute, 0, 0)
  return d.toISOString()
}

describe("a clinic's day with two outages of the relay", () => {
  let cluster: Cluster
  let runDir: string
  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), "vetsync-two-outages-"))
    cluster = await Cluster.start({
      runDir,
      desks: 2,
      clinicId: `two-outages-${randomBytes(3).toString("hex")}`,
      deskPrefix: `to${randomBytes(3).toString("hex")}-`,
      log: () => undefined,
    })
  }, 300_000)
  afterAll(async () => {
    await cluster?.close()
    if (runDir) rmSync(runDir, { recursive: true, force: true })
  })

  /** Both desks online with nothing waiting (green), and no honest peer ever refused. */
  const bothGreen = async (what: string): Promise<void> => {
    for (const d of cluster.desks)
      await eventually(
        `${d.name} to be green ${what}`,
        async () => {
          const s = await d.client.call("status", undefined)
          return s.kind === "ok" && s.value.state === "online" && s.value.waitingRecords === 0
        },
        180_000,
        { pollMs: 250, describe: async () => JSON.stringify(await d.client.call("status", undefined)).slice(0, 400) },
      )
    expect(refusals(join(runDir, "relay.log"))).toEqual([])
  }

  const row = async (table: "appointments" | "invoices", id: string): Promise<{ status: string } | undefined> =>
    (await cluster.pool.query<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0]

  const inPostgres = (what: string, table: "appointments" | "invoices", id: string, status: string): Promise<unknown> =>
    eventually(
      `${what} in PostgreSQL with status ${status}`,
      async () => (await row(table, id))?.status === status,
      180_000,
      {
        pollMs: 250,
        describe: async () => JSON.stringify((await row(table, id)) ?? "no row"),
      },
    )

  it("ends green on both desks with everything in PostgreSQL", async () => {
    const [d1, d2] = cluster.desks
    if (!d1 || !d2) throw new Error("two desks expected")
    const { client, patients } = ok(
      "create client",
      await d1.client.call("clients.create", {
        name: "Смирнова Ольга Петровна",
        phone: "+7 952 618-10-32",
        patients: [{ name: "Мурка", species: "кошка" }],
      }),
    )
    const patientId = patients[0]?.id ?? ""
    const book = async (desk: typeof d1, hour: number) =>
      ok(
        `book ${hour}:00`,
        await desk.client.call("appointments.book", {
          clientId: client.id,
          patientId,
          vet: "Иванов И.И.",
          start: todayAt(hour),
          end: todayAt(hour, 30),
        }),
      ).appointment
    const morning = await book(d1, 7)
    const noon = await book(d1, 9)
    // the bridge publishes the price list while the desks start: it may not be on desk 1 yet
    const item = await eventually(
      "the price list on desk 1",
      async () => ok("price list", await d1.client.call("pricelist.search", { query: "", limit: 1 }))[0],
      180_000,
      { pollMs: 250 },
    )
    const invoice = ok(
      "invoice",
      await d1.client.call("invoices.create", {
        clientId: client.id,
        patientId,
        lines: [{ itemId: item.id, qtyMilli: 1000 }],
      }),
    )
    await bothGreen("before the first outage")
    await inPostgres("the invoice", "invoices", invoice.id, "issued")

    // outage 1: the relay stops; desk 1 books for today, marks an arrival and takes a payment
    await cluster.relay.stop()
    await eventually(
      "desk 1 to see the relay gone",
      async () => {
        const s = await d1.client.call("status", undefined)
        return s.kind === "ok" && !s.value.online
      },
      60_000,
    )
    const offline = await book(d1, 11)
    ok("arrived", await d1.client.call("appointments.setStatus", { id: morning.id, status: "arrived" }))
    ok("paid", await d1.client.call("invoices.markPaid", { id: invoice.id }))
    const s1 = ok("status", await d1.client.call("status", undefined))
    expect(s1.state).toBe("offline")
    expect(s1.waitingRecords).toBeGreaterThanOrEqual(3)
    await cluster.startRelay()
    await bothGreen("after the first outage")
    await inPostgres("the booking made offline", "appointments", offline.id, "scheduled")
    await inPostgres("the arrival", "appointments", morning.id, "arrived")
    await inPostgres("the payment", "invoices", invoice.id, "paid")

    // outage 2: the relay is killed; desk 2 works, desk 1 is restarted meanwhile
    await cluster.relay.kill9()
    ok("done", await d2.client.call("appointments.setStatus", { id: noon.id, status: "done" }))
    const late = await book(d2, 13)
    await d1.proc.stop()
    await cluster.startDesk(0)
    const again = await book(d1, 15)
    await cluster.startRelay()
    await bothGreen("after the second outage")
    await inPostgres("desk 2's status change", "appointments", noon.id, "done")
    await inPostgres("desk 2's booking", "appointments", late.id, "scheduled")
    await inPostgres("desk 1's booking after its restart", "appointments", again.id, "scheduled")
    // and each desk shows the other's work
    for (const d of [d1, d2]) {
      const day = ok("day view", await d.client.call("appointments.day", { date: todayAt(12).slice(0, 10) }))
      const ids = new Set(day.map(a => a.id))
      for (const a of [morning, noon, offline, late, again])
        expect(ids.has(a.id), `${d.name} shows ${a.start}`).toBe(true)
    }
  }, 900_000)
})
