import { localMonth } from "@vetsync/shared"
import { sampleProfile } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import type { DeskCore } from "@vetsync/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClinicStack } from "./helpers/ClinicStack.js"

/**
 * Issue 10 point 2: two desks enrolled in one clinic (registry in PostgreSQL, the relay with
 * PgAuthenticator, the bridge) each take their code from the registry, issue invoices while the
 * relay is away, and when it is back every invoice is a row of PostgreSQL with a number of its own
 * (UNIQUE (clinic_id, number) holds: nothing is rejected).
 */
const CLINIC = "clinic-1"
const PER_DESK = 6

describe("two enrolled desks of one clinic, offline", () => {
  let stack: ClinicStack
  let a: DeskCore
  let b: DeskCore

  beforeAll(async () => {
    stack = await ClinicStack.start("two-desks")
    await stack.addClinic(CLINIC, { ...sampleProfile(1), timeZone: "Europe/Moscow" }, [
      { code: "S001", name: "Консультация", price: 150000 },
      { code: "S002", name: "Вакцинация", price: 220000 },
    ])
    const first = await stack.enrol(CLINIC, "desk-a")
    const second = await stack.enrol(CLINIC, "desk-b")
    expect([first.cred.deskCode, second.cred.deskCode]).toEqual(["D1", "D2"])
    a = await stack.openDesk(first.dataDir)
    b = await stack.openDesk(second.dataDir)
  })
  afterAll(async () => {
    await stack?.close()
  })

  it("issue invoices on both desks while the relay is away; every one reaches PostgreSQL with its own number", async () => {
    for (const desk of [a, b]) {
      await eventually(
        "the price list on the desk",
        async () => (await desk.call("pricelist.search", { query: "" })).length === 2,
        60_000,
      )
      await eventually(
        "the clinic's profile on the desk",
        async () => (await desk.call("clinic.profile", undefined)).timeZoneSource === "clinic",
        60_000,
      )
    }
    expect([a.opts.deskCode, b.opts.deskCode]).toEqual(["D1", "D2"])
    const { client } = await a.call("clients.create", { name: "Смирнова Ольга Петровна", phone: "+7 912 555-44-33" })
    await eventually(
      "the client on the other desk",
      async () => (await b.call("clients.get", { id: client.id })) !== null,
      60_000,
    )
    const items = await a.call("pricelist.search", { query: "" })

    await stack.stopRelay()
    for (const desk of [a, b])
      await eventually(
        "the desk to see it is offline",
        async () => !(await desk.call("status", undefined)).online,
        30_000,
      )
    const issued: string[] = []
    // desk B also registers a new client offline and bills it
    const walkIn = (
      await b.call("clients.create", { name: "Орлов Пётр", patients: [{ name: "Шарик", species: "собака" }] })
    ).client
    for (let i = 0; i < PER_DESK; i++)
      for (const [desk, who] of [
        [a, client.id],
        [b, i % 2 === 0 ? client.id : walkIn.id],
      ] as const) {
        const invoice = await desk.call("invoices.create", {
          clientId: who,
          lines: [{ itemId: items[i % items.length]!.id, qtyMilli: 1000 + i * 500 }],
        })
        issued.push(invoice.number)
        expect(invoice.number.slice(3, 7)).toBe(
          localMonth(invoice.issuedAt, "Europe/Moscow").replace(/^20(\d\d)-(\d\d)$/, "$1$2"),
        )
      }
    expect(new Set(issued).size).toBe(issued.length)
    expect(issued.filter(n => n.startsWith("D1-"))).toHaveLength(PER_DESK)
    expect(issued.filter(n => n.startsWith("D2-"))).toHaveLength(PER_DESK)
    for (const desk of [a, b]) expect((await desk.call("status", undefined)).waitingRecords).toBeGreaterThan(0)

    await stack.startRelay()
    for (const desk of [a, b]) await desk.call("sync.now", undefined)
    const numbers = async () =>
      (
        await stack.pool.query<{ number: string }>("SELECT number FROM invoices WHERE clinic_id = $1 ORDER BY number", [
          CLINIC,
        ])
      ).rows.map(r => r.number)
    await eventually(
      `all ${issued.length} invoices in PostgreSQL`,
      async () => (await numbers()).length === issued.length,
      120_000,
      {
        describe: async () => `rows: ${(await numbers()).join(", ")}`,
      },
    )
    expect(await numbers()).toEqual([...issued].sort())
    const rejected = await stack.pool.query("SELECT collection, reason FROM rejections WHERE clinic_id = $1", [CLINIC])
    expect(rejected.rows).toEqual([])
    const lines = await stack.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM invoice_items it JOIN invoices i ON i.id = it.invoice_id WHERE i.clinic_id = $1",
      [CLINIC],
    )
    expect(lines.rows[0]!.n).toBe(issued.length)
    // each desk sees the other's invoices, and nothing waits any more
    for (const desk of [a, b]) {
      await eventually(
        "every invoice on the desk",
        async () => (await desk.call("invoices.list", { limit: 100 })).length === issued.length,
        60_000,
      )
      await eventually(
        "nothing waiting",
        async () => (await desk.call("status", undefined)).waitingRecords === 0,
        60_000,
      )
    }
  })
})
