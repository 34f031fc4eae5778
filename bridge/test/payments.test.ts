import { randomUUID } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  lineTotal,
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
import { revenue } from "../src/queries/revenue.js"
import { openDoc } from "../src/sync/openDoc.js"
import { keyOf, makeClient, makeInvoice, makePatient, put } from "./helpers/records.js"

/**
 * Payments, refunds and voids from the documents to PostgreSQL (migration 0014), and the back
 * office's revenue in the clinic's own days: a Vladivostok clinic (UTC+10), whose day begins at
 * 14:00 UTC the day before. Expected figures are computed from the records written, to the kopeck.
 */
const CLINIC = "clinic-money"
const ZONE = "Asia/Vladivostok"
const db = useTestDatabase()

const payment = (
  inv: Invoice,
  at: string,
  method: PaymentMethod,
  amount: number,
  more: Partial<Payment> = {},
): Payment => ({
  id: randomUUID(),
  invoiceId: inv.id,
  kind: "payment",
  method,
  amount,
  tendered: method === "cash" ? amount + 5000 : 0,
  change: method === "cash" ? 5000 : 0,
  lines: [],
  reason: "",
  at,
  desk: "desk-b",
  staff: "staff-7",
  fiscalState: "none",
  fiscalNumber: "",
  fiscalSign: "",
  ...more,
})

describe("payments and reports in PostgreSQL", () => {
  let repo: Repo
  let bridge: Bridge
  beforeAll(async () => {
    repo = new Repo({ network: [] })
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
    await bridge.addClinic(CLINIC, "Money clinic")
    await db.pool.query("INSERT INTO clinic_profiles (clinic_id, time_zone) VALUES ($1, $2)", [CLINIC, ZONE])
  })
  afterAll(async () => {
    await bridge.stop()
  })

  const takePayments = async (inv: Invoice, payments: Payment[]): Promise<void> => {
    const key = keyOf("invoices", inv)
    const h = await openDoc<InvoicesDoc>(repo, CLINIC, key)
    h.update(d => withPaymentsContainer(d, CLINIC, key))
    h.change(d => {
      for (const p of payments)
        (d.payments as Record<string, unknown>)[paymentKey(inv.id, p.id)] = recordToDoc({ ...p })
    })
  }

  it("projects payments, refunds and voids, and counts revenue by the clinic's day, accrual and cash", async () => {
    const c = makeClient("desk-a", { name: "Анна Деньгова" })
    const gone = makeClient("desk-a", { name: "Удалённый", deleted: true })
    const p = makePatient(c.id, "desk-a", { name: "Рыжик", species: "cat" })
    await put(repo, CLINIC, "clients", c)
    await put(repo, CLINIC, "clients", gone)
    await put(repo, CLINIC, "patients", p)
    // 22:30 UTC on Nov 30 is 08:30 on Dec 1 in Vladivostok; 13:00 UTC is 23:00 on Nov 30 there
    const dec1 = makeInvoice(c, p, "desk-a", { issuedAt: "2026-11-30T22:30:00.000Z", vet: "Dr. Ким" })
    const nov30 = makeInvoice(c, p, "desk-a", { issuedAt: "2026-11-30T13:00:00.000Z", vet: "Dr. Ли" })
    const voided = makeInvoice(c, p, "desk-b", {
      issuedAt: "2026-11-30T23:00:00.000Z",
      status: "void",
      voidReason: "выписан по ошибке",
      voidedAt: "2026-11-30T23:05:00.000Z",
      voidedBy: "desk-b",
      voidedStaff: "staff-7",
    })
    // an old invoice marked paid before payments were records: paid in full, the day it was paid
    const legacy = makeInvoice(c, p, "desk-a", {
      issuedAt: "2026-11-29T10:00:00.000Z",
      status: "paid",
      paidAt: "2026-11-30T15:00:00.000Z",
    })
    for (const inv of [dec1, nov30, voided, legacy]) await put(repo, CLINIC, "invoices", inv)
    const line = dec1.lines[1]!
    const card = payment(dec1, "2026-11-30T22:40:00.000Z", "card", 100_000)
    const cash = payment(dec1, "2026-11-30T22:41:00.000Z", "cash", dec1.total - 100_000)
    const refund = payment(dec1, "2026-12-01T14:30:00.000Z", "cash", lineTotal(line.price, 1000), {
      kind: "refund",
      tendered: 0,
      change: 0,
      lines: [{ lineId: line.id, qtyMilli: 1000, amount: lineTotal(line.price, 1000) }],
      reason: "вернули корм",
    })
    const part = payment(nov30, "2026-11-30T13:10:00.000Z", "transfer", 50_000)
    await takePayments(dec1, [card, cash, refund])
    await takePayments(nov30, [part])
    await bridge.idle()

    const rows = (await db.pool.query("SELECT * FROM invoice_payments WHERE clinic_id = $1 ORDER BY at", [CLINIC])).rows
    expect(
      rows.map(r => [
        r.id,
        r.invoice_id,
        r.kind,
        r.method,
        Number(r.amount_kopecks),
        Number(r.tendered_kopecks),
        Number(r.change_kopecks),
        r.desk_id,
        r.staff_id,
      ]),
    ).toEqual(
      [part, card, cash, refund].map(x => [
        x.id,
        x.invoiceId,
        x.kind,
        x.method,
        x.amount,
        x.tendered,
        x.change,
        x.desk,
        x.staff,
      ]),
    )
    expect(rows[3]?.lines).toEqual(refund.lines)
    const states = new Map(
      (
        await db.pool.query<{ id: string; state: string; void_reason: string; voided_by: string }>(
          "SELECT id, state, void_reason, voided_by FROM invoices",
        )
      ).rows.map(r => [r.id, r]),
    )
    expect(states.get(dec1.id)?.state).toBe("refunded") // paid in full, then a line given back
    expect(states.get(nov30.id)?.state).toBe("partly_paid")
    expect(states.get(legacy.id)?.state).toBe("paid")
    expect(states.get(voided.id)).toMatchObject({
      state: "void",
      void_reason: "выписан по ошибке",
      voided_by: "desk-b",
    })

    // accrual: by day of issue in Vladivostok, void left out
    const live = [dec1, nov30, legacy]
    const byDay = (pairs: [string, number][]): Map<string, number> => {
      const m = new Map<string, number>()
      for (const [d, v] of pairs) m.set(d, (m.get(d) ?? 0) + v)
      return m
    }
    const accrual = await revenue(db.pool, {
      clinicId: CLINIC,
      from: "2026-11-01",
      to: "2026-12-31",
      by: "day",
      basis: "accrual",
    })
    expect(new Map(accrual.map(r => [r.key, r.revenue_kopecks]))).toEqual(
      byDay(live.map(i => [localDate(i.issuedAt, ZONE), i.total])),
    )
    expect(accrual.map(r => r.key)).toEqual(["2026-11-29", "2026-11-30", "2026-12-01"])
    // cash: payments minus refunds by the day the money moved; the legacy invoice the day it was paid
    const moved: [string, number][] = [
      ...[card, cash, part].map((x): [string, number] => [localDate(x.at, ZONE), x.amount]),
      [localDate(refund.at, ZONE), -refund.amount],
      [localDate(legacy.paidAt, ZONE), legacy.total],
    ]
    const cashBasis = await revenue(db.pool, {
      clinicId: CLINIC,
      from: "2026-11-01",
      to: "2026-12-31",
      by: "day",
      basis: "cash",
    })
    expect(new Map(cashBasis.map(r => [r.key, r.revenue_kopecks]))).toEqual(byDay(moved))
    // a period of one day
    const oneDay = await revenue(db.pool, {
      clinicId: CLINIC,
      from: "2026-12-01",
      to: "2026-12-01",
      by: "day",
      basis: "accrual",
    })
    expect(oneDay).toEqual([{ key: "2026-12-01", name: "", count: 1, quantity: 0, revenue_kopecks: dec1.total }])

    // per service and per vet, for the period
    const services = await revenue(db.pool, {
      clinicId: CLINIC,
      from: "2026-11-30",
      to: "2026-12-01",
      by: "service",
      basis: "accrual",
    })
    const sold = [dec1, nov30].flatMap(i => i.lines)
    expect(new Map(services.map(r => [r.key, r.revenue_kopecks]))).toEqual(byDay(sold.map(l => [l.code, l.total])))
    const vets = await revenue(db.pool, {
      clinicId: CLINIC,
      from: "2026-11-30",
      to: "2026-12-01",
      by: "vet",
      basis: "accrual",
    })
    expect(new Map(vets.map(r => [r.key, r.revenue_kopecks]))).toEqual(
      new Map([
        ["Dr. Ким", dec1.total],
        ["Dr. Ли", nov30.total],
      ]),
    )

    // the fact view: one row per line, with the clinic day, desk, client, patient, species and status
    const facts = (
      await db.pool.query("SELECT * FROM report_invoice_lines WHERE invoice_id = $1 ORDER BY line_no", [dec1.id])
    ).rows
    expect(
      facts.map(f => [
        f.desk,
        f.vet,
        f.client_name,
        f.patient_name,
        f.species,
        f.code,
        f.kind,
        Number(f.price_kopecks),
        Number(f.total_kopecks),
        f.status,
      ]),
    ).toEqual(
      dec1.lines.map(l => ["desk-a", "Dr. Ким", c.name, p.name, "cat", l.code, l.kind, l.price, l.total, "refunded"]),
    )
    expect(facts.map(f => (f.day as Date | string).toString())).not.toHaveLength(0)

    // current clients: the deleted one is not there
    const current = (
      await db.pool.query("SELECT id FROM report_current_clients WHERE clinic_id = $1", [CLINIC])
    ).rows.map(r => r.id)
    expect(current).toContain(c.id)
    expect(current).not.toContain(gone.id)
    const patients = (
      await db.pool.query("SELECT id FROM report_current_patients WHERE clinic_id = $1", [CLINIC])
    ).rows.map(r => r.id)
    expect(patients).toEqual([p.id])

    // the reporting role may read the views and nothing else
    const may = async (table: string): Promise<boolean> =>
      (
        await db.pool.query<{ ok: boolean }>("SELECT has_table_privilege('vetsync_reporting', $1, 'SELECT') AS ok", [
          table,
        ])
      ).rows[0]!.ok
    expect(await may("report_invoice_lines")).toBe(true)
    expect(await may("report_revenue_cash_day")).toBe(true)
    expect(await may("invoices")).toBe(false)
    const role = (await db.pool.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'vetsync_reporting'")).rows[0]
    expect(role).toEqual({ rolcanlogin: false })
  })
})
