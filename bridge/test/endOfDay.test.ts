import { randomUUID } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  localDate,
  paymentKey,
  recordToDoc,
  withPaymentsContainer,
  type Invoice,
  type InvoicesDoc,
  type Payment,
  type PaymentMethod,
} from "@vetsync/shared"
import { useTestDatabase } from "@vetsync/db/testing"
import { Bridge } from "../src/Bridge.js"
import { reportCommand } from "../src/commands.js"
import { endOfDayClinic, endOfDayDesks, type EndOfDayRow } from "../src/queries/endOfDay.js"
import { openDoc } from "../src/sync/openDoc.js"
import { keyOf, makeClient, makeInvoice, makePatient, put } from "./helpers/records.js"

/**
 * The end-of-day views (migration 0017) against the records written: per desk and per clinic, in
 * a Vladivostok clinic's days (UTC+10: its Dec 1 is Nov 30 14:00 UTC to Dec 1 14:00 UTC). The
 * expected rows are summed here from the payment records, to the kopeck.
 */
const CLINIC = "clinic-eod"
const ZONE = "Asia/Vladivostok"
const DAY = "2026-12-01"
const db = useTestDatabase()

const payment = (inv: Invoice, desk: string, at: string, kind: Payment["kind"], method: PaymentMethod, amount: number): Payment => ({
  id: randomUUID(),
  invoiceId: inv.id,
  kind,
  method,
  amount,
  tendered: kind === "payment" && method === "cash" ? amount + 3000 : 0,
  change: kind === "payment" && method === "cash" ? 3000 : 0,
  lines: [],
  reason: kind === "refund" ? "возврат" : "",
  at,
  desk,
  staff: "",
  fiscalState: "printed",
  fiscalNumber: "1",
  fiscalSign: "123",
})

const expected = (payments: Payment[], voided: Invoice[], desk: string | null): Omit<EndOfDayRow, "desk"> => {
  const of = payments.filter(p => localDate(p.at, ZONE) === DAY && (desk === null || p.desk === desk))
  const sum = (kind: Payment["kind"], method?: PaymentMethod): number =>
    of.filter(p => p.kind === kind && (method === undefined || p.method === method)).reduce((s, p) => s + p.amount, 0)
  const voids = voided.filter(i => localDate(i.voidedAt, ZONE) === DAY && (desk === null || i.voidedBy === desk))
  return {
    sales: of.filter(p => p.kind === "payment").length,
    sales_cash_kopecks: sum("payment", "cash"),
    sales_card_kopecks: sum("payment", "card"),
    sales_transfer_kopecks: sum("payment", "transfer"),
    sales_kopecks: sum("payment"),
    refunds: of.filter(p => p.kind === "refund").length,
    refunds_cash_kopecks: sum("refund", "cash"),
    refunds_card_kopecks: sum("refund", "card"),
    refunds_transfer_kopecks: sum("refund", "transfer"),
    refunds_kopecks: sum("refund"),
    voids: voids.length,
    voids_kopecks: voids.reduce((s, i) => s + i.total, 0),
    cash_in_drawer_kopecks: sum("payment", "cash") - sum("refund", "cash"),
  }
}

describe("the end-of-day cash report in PostgreSQL", () => {
  let repo: Repo
  let bridge: Bridge
  beforeAll(async () => {
    repo = new Repo({ network: [] })
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
    await bridge.addClinic(CLINIC, "End of day clinic")
    await db.pool.query("INSERT INTO clinic_profiles (clinic_id, time_zone) VALUES ($1, $2)", [CLINIC, ZONE])
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("sums each desk's and the clinic's day by method, with voids and the cash in the drawer", async () => {
    const c = makeClient("desk-a", { name: "Итогова Дарья" })
    const p = makePatient(c.id, "desk-a", { name: "Бублик", species: "dog" })
    await put(repo, CLINIC, "clients", c)
    await put(repo, CLINIC, "patients", p)
    const one = makeInvoice(c, p, "desk-a", { issuedAt: "2026-11-30T20:00:00.000Z" })
    const two = makeInvoice(c, p, "desk-b", { issuedAt: "2026-11-30T21:00:00.000Z" })
    const deleted = makeInvoice(c, p, "desk-a", { issuedAt: "2026-11-30T21:00:00.000Z", deleted: true })
    const voidA = makeInvoice(c, p, "desk-a", {
      issuedAt: "2026-11-30T22:00:00.000Z",
      status: "void",
      voidReason: "ошибка",
      voidedAt: "2026-12-01T02:00:00.000Z",
      voidedBy: "desk-a",
    })
    // voided 23:30 Dec 1 UTC: Dec 2 in Vladivostok, not this day
    const voidLater = makeInvoice(c, p, "desk-b", {
      issuedAt: "2026-11-30T22:00:00.000Z",
      status: "void",
      voidReason: "ошибка",
      voidedAt: "2026-12-01T23:30:00.000Z",
      voidedBy: "desk-b",
    })
    for (const inv of [one, two, deleted, voidA, voidLater]) await put(repo, CLINIC, "invoices", inv)
    const byInvoice = new Map<Invoice, Payment[]>([
      [
        one,
        [
          payment(one, "desk-a", "2026-11-30T20:05:00.000Z", "payment", "card", 120_001),
          payment(one, "desk-a", "2026-11-30T20:06:00.000Z", "payment", "cash", 99_999),
          payment(one, "desk-b", "2026-12-01T03:00:00.000Z", "refund", "cash", 40_050),
          // 13:59 UTC is still Dec 1 there; 14:00 is Dec 2
          payment(one, "desk-a", "2026-12-01T13:59:59.999Z", "refund", "card", 10_000),
        ],
      ],
      [
        two,
        [
          payment(two, "desk-b", "2026-12-01T01:00:00.000Z", "payment", "transfer", 77_777),
          payment(two, "desk-b", "2026-12-01T14:00:00.000Z", "payment", "cash", 5_000),
          // the day before there
          payment(two, "desk-b", "2026-11-30T13:00:00.000Z", "payment", "cash", 1_000),
        ],
      ],
      [deleted, [payment(deleted, "desk-a", "2026-12-01T01:00:00.000Z", "payment", "cash", 9_999)]],
    ])
    for (const [inv, payments] of byInvoice) {
      const key = keyOf("invoices", inv)
      const h = await openDoc<InvoicesDoc>(repo, CLINIC, key)
      h.update(d => withPaymentsContainer(d, CLINIC, key))
      h.change(d => {
        for (const x of payments) (d.payments as Record<string, unknown>)[paymentKey(inv.id, x.id)] = recordToDoc({ ...x })
      })
    }
    await bridge.idle()

    const live = [...(byInvoice.get(one) ?? []), ...(byInvoice.get(two) ?? [])]
    const voided = [voidA, voidLater]
    const desks = await endOfDayDesks(db.pool, { clinicId: CLINIC, date: DAY })
    expect(desks).toEqual([
      { desk: "desk-a", ...expected(live, voided, "desk-a") },
      { desk: "desk-b", ...expected(live, voided, "desk-b") },
    ])
    expect(await endOfDayDesks(db.pool, { clinicId: CLINIC, date: DAY, deskId: "desk-b" })).toEqual([
      { desk: "desk-b", ...expected(live, voided, "desk-b") },
    ])
    const clinic = await endOfDayClinic(db.pool, { clinicId: CLINIC, date: DAY })
    expect(clinic).toEqual({ desk: "", ...expected(live, voided, null) })
    expect(clinic.sales_kopecks).toBe(120_001 + 99_999 + 77_777)
    expect(clinic.cash_in_drawer_kopecks).toBe(99_999 - 40_050)
    expect(clinic.voids).toBe(1)

    // the command prints the same, a row per desk and the total, in roubles
    const lines = await reportCommand(["day", "--clinic", CLINIC, "--date", DAY, "--csv"], { DATABASE_URL: db.url })
    expect(lines[0]).toBe(
      "desk,sales,sales_cash_rub,sales_card_rub,sales_transfer_rub,sales_rub,refunds,refunds_cash_rub,refunds_card_rub,refunds_transfer_rub,refunds_rub,voids,voids_rub,cash_in_drawer_rub",
    )
    expect(lines.slice(1).map(l => l.split(",")[0])).toEqual(["desk-a", "desk-b", "total"])
    expect(lines.at(-1)?.split(",").at(-1)).toBe(((99_999 - 40_050) / 100).toFixed(2))

    // the reporting role may read the views
    const grants = await db.pool.query(
      `SELECT table_name FROM information_schema.role_table_grants
       WHERE grantee = 'vetsync_reporting' AND table_name LIKE 'report_end_of_day%' ORDER BY table_name`,
    )
    expect(grants.rows.map(r => r.table_name)).toEqual(["report_end_of_day_clinic", "report_end_of_day_desk"])
  })
})
