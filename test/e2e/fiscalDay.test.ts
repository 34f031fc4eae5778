import * as fs from "node:fs"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDesk, type RunningDesk } from "@vetsync/client"
import { launchBrowser, type Browser } from "@vetsync/client/e2e-harness/browser.js"
import { focused, screens, shown, syncState, tabTo } from "@vetsync/client/e2e-harness/keyboard.js"
import { buildUi, removeUi } from "@vetsync/client/e2e-harness/ui.js"
import { localDate } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { ClinicStack } from "../helpers/ClinicStack.js"

/**
 * Issue 12's "done when": a day at a desk with the emulated register, online and offline. The
 * shift is opened, a partial card payment taken online, then the relay goes away and a cash
 * payment with change is taken and one line refunded, and the Z report printed; the relay comes
 * back. Every receipt is in the emulator's journal exactly once, each payment carries its fiscal
 * number and sign, and PostgreSQL's payments and end-of-day view match the desk's end-of-day
 * report to the kopeck. The UI is driven by keyboard.
 */
const CLINIC = "clinic-fiscal-day"
const ZONE = "Europe/Moscow"

interface Journal {
  type: string
  key?: string
  doc?: { number: number; sign: string }
}

describe("a day with the cash register, online and offline, to PostgreSQL", () => {
  let stack: ClinicStack
  let browser: Browser
  let uiDir: string
  let page: Page
  let desk: RunningDesk
  let dataDir = ""

  beforeAll(async () => {
    uiDir = await buildUi()
    stack = await ClinicStack.start("fiscal-day")
    await stack.addClinic(CLINIC, { name: "Ветклиника «Касса»", timeZone: ZONE }, [])
    await stack.addClinicPrices(CLINIC)
    const enrolled = await stack.enrol(CLINIC, "desk")
    dataDir = enrolled.dataDir
    desk = await startDesk({ dataDir, uiDir, port: 0, fiscal: { kind: "emulator" }, log: () => undefined })
    stack.desks.push(desk)
    browser = await launchBrowser()
    page = await browser.newPage(desk.url)
    await page.setViewportSize({ width: 1024, height: 768 })
    await syncState(page, "online", 0)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await removeUi(uiDir)
  })

  const press = async (testId: string): Promise<void> => {
    await tabTo(page, testId)
    await page.keyboard.press("Enter")
  }

  const openInvoice = async (n: string): Promise<void> => {
    await page.click('[data-testid="nav-invoices"]')
    await page.focus('[data-testid="invoice-search"]')
    await page.keyboard.press("Control+A")
    await page.keyboard.type(n)
    const row = page.locator('[data-testid="invoice-row"]', { hasText: n })
    await eventually("the invoice found by its number", async () => (await row.count()) === 1, 30_000)
    await row.focus()
    await page.keyboard.press("Enter")
    await page.waitForSelector(`[data-testid="invoice-number"]:has-text("${n}")`)
  }

  const pay = async (method: string, amount: string, tendered = ""): Promise<void> => {
    await page.focus('[data-testid="invoice-pay"]')
    await page.keyboard.press("Enter")
    await page.waitForSelector('[data-testid="money-dialog"]')
    expect(await focused(page)).toBe("money-method")
    await page.selectOption('[data-testid="money-method"]', method)
    await page.focus('[data-testid="money-amount"]')
    await page.keyboard.press("Control+A")
    await page.keyboard.type(amount)
    if (tendered) {
      await page.focus('[data-testid="money-tendered"]')
      await page.keyboard.type(tendered)
    }
    await page.focus('[data-testid="money-confirm"]')
    await page.keyboard.press("Enter")
  }

  it("fiscalises each payment and refund once, and PostgreSQL's end of day matches the desk's to the kopeck", async () => {
    const core = desk.core
    const deskId = core.status().deskId
    const items = await eventually(
      "the price list at the desk",
      async () => {
        const found = await core.call("pricelist.search", { query: "", limit: 10 })
        return found.length === 2 ? found : null
      },
      60_000,
    )
    const consult = items.find(i => i.code === "S001")
    const food = items.find(i => i.code === "P001")
    expect(consult?.vat).toBe("vat22")
    const { client } = await core.call("clients.create", { name: "Кассова Ирина", phone: "+7 916 555-44-33" })
    const invoice = await core.call("invoices.create", {
      clientId: client.id,
      lines: [
        { itemId: consult?.id ?? "", qtyMilli: 1000 },
        { itemId: food?.id ?? "", qtyMilli: 2000 },
      ],
    })
    expect(invoice.total).toBe(150_000 + 2 * 98_000)

    // the shift, by keyboard
    await page.click('[data-testid="nav-cash"]')
    await shown(page, '[data-testid="register-status"]', "the register's status")
    expect(await focused(page)).toBe("shift-open")
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="register-status"][data-shift="open"]', "the open shift")

    // online: a partial card payment of 500 roubles
    await openInvoice(invoice.number)
    await pay("card", "500")
    await page.waitForSelector('[data-testid="invoice-doc"][data-status="partly_paid"]')

    // offline: the rest in cash, 3000 roubles handed over; then one line (a kilo of food) given back
    await stack.stopRelay()
    await syncState(page, "offline")
    await pay("cash", "2960", "3000")
    await page.waitForSelector('[data-testid="invoice-doc"][data-status="paid"]')
    const foodLine = invoice.lines.find(l => l.itemId === food?.id)
    // the refund dialog, by keyboard: one of the two kilos of food, in cash, with the reason
    await page.focus('[data-testid="invoice-refund"]')
    await page.keyboard.press("Enter")
    await shown(page, '[data-testid="refund-dialog"]', "the refund dialog")
    await page.focus(`[data-testid="refund-line"][data-line-id="${foodLine?.id ?? ""}"] [data-testid="refund-qty"]`)
    await page.keyboard.type("1")
    await page.selectOption('[data-testid="money-method"]', "cash")
    await page.focus('[data-testid="money-reason"]')
    await page.keyboard.type("вернули корм")
    await page.keyboard.press("Enter")
    await eventually("the refund dialog closed", async () => (await page.locator('[data-testid="refund-dialog"]').count()) === 0, 15_000)
    const refunds = (await core.call("invoices.get", { id: invoice.id }))?.payments.filter(p => p.kind === "refund") ?? []
    expect(refunds.map(r => [r.method, r.amount, r.lines.map(l => [l.lineId, l.qtyMilli])])).toEqual([
      ["cash", 98_000, [[foodLine?.id, 1000]]],
    ])
    await eventually(
      "every receipt printed, offline",
      async () => (await core.call("fiscal.receipts", { states: ["pending", "sending", "failed"] })).length === 0,
      30_000,
    )

    // the day's report, then the Z report, by keyboard
    await page.click('[data-testid="nav-cash"]')
    await shown(page, '[data-testid="day-report"]', "the day's end-of-day report")
    await eventually(
      "the day's sales in the end-of-day report",
      async () => (await page.textContent('[data-testid="sales-total"]'))?.replace(/\s/g, "").startsWith("3460") || undefined,
      15_000,
    )
    // the heading names this desk as staff know it: its code, not its internal id
    const { deskCode } = core.status()
    const heading = (await page.textContent('[data-testid="day-report"] h2')) ?? ""
    expect(deskCode).not.toBe("")
    expect(heading).toContain(deskCode)
    expect(heading).not.toContain(deskId)
    await screens(page, "cash-end-of-day")
    await page.focus('[data-testid="shift-open"]')
    await press("shift-close")
    await shown(page, '[data-testid="fiscal-outcome"]:has-text("Z")', "the Z report's outcome")

    // every receipt in the journal exactly once, each payment with its number and sign
    const journal = fs
      .readFileSync(path.join(dataDir, "fiscal-emulator.jsonl"), "utf8")
      .split("\n")
      .filter(l => l.trim() !== "")
      .map(l => JSON.parse(l) as Journal)
    const receipts = journal.filter(j => j.type === "sell" || j.type === "refund")
    expect(receipts.map(j => j.type)).toEqual(["sell", "sell", "refund"])
    expect(new Set(receipts.map(j => j.key)).size).toBe(3)
    expect(journal.filter(j => j.type === "closeShift")).toHaveLength(1)
    const payments = await eventually(
      "every payment to carry its fiscal number",
      async () => {
        const v = await core.call("invoices.get", { id: invoice.id })
        return v && v.payments.length === 3 && v.payments.every(p => p.fiscalState === "printed") ? v.payments : null
      },
      30_000,
    )
    for (const p of payments) {
      const printed = receipts.filter(j => String(j.doc?.number) === p.fiscalNumber)
      expect(printed).toHaveLength(1)
      expect(printed[0]?.doc?.sign).toBe(p.fiscalSign)
    }

    // back online: PostgreSQL has the payments, and its end of day is the desk's to the kopeck
    await stack.startRelay()
    await syncState(page, "online", 0)
    const rows = await eventually(
      "the three payments in PostgreSQL, printed",
      async () => {
        const r = await stack.pool.query<{ id: string; kind: string; method: string; amount_kopecks: number; fiscal_state: string; fiscal_number: string }>(
          "SELECT id, kind, method, amount_kopecks::int AS amount_kopecks, fiscal_state, fiscal_number FROM invoice_payments WHERE invoice_id = $1 ORDER BY at",
          [invoice.id],
        )
        return r.rows.length === 3 && r.rows.every(x => x.fiscal_state === "printed") ? r.rows : null
      },
      90_000,
    )
    expect(rows.map(r => [r.id, r.kind, r.method, r.amount_kopecks, r.fiscal_number])).toEqual(
      [...payments].sort((a, b) => a.at.localeCompare(b.at)).map(p => [p.id, p.kind, p.method, p.amount, p.fiscalNumber]),
    )
    const date = localDate(new Date().toISOString(), ZONE)
    const day = await core.call("money.day", { date })
    expect(day.sales.byMethod).toEqual({ cash: 296_000, card: 50_000, transfer: 0 })
    expect(day.refunds.byMethod).toEqual({ cash: 98_000, card: 0, transfer: 0 })
    expect(day.cashInDrawer).toBe(296_000 - 98_000)
    const pg = await eventually(
      "PostgreSQL's end of day for the desk",
      async () =>
        (
          await stack.pool.query(
            "SELECT * FROM report_end_of_day_desk WHERE clinic_id = $1 AND day = $2::date AND desk_id = $3",
            [CLINIC, date, deskId],
          )
        ).rows[0] ?? null,
      60_000,
    )
    expect({
      sales: [pg.sales_cash_kopecks, pg.sales_card_kopecks, pg.sales_transfer_kopecks, pg.sales_kopecks, pg.sales].map(Number),
      refunds: [pg.refunds_cash_kopecks, pg.refunds_card_kopecks, pg.refunds_transfer_kopecks, pg.refunds_kopecks, pg.refunds].map(Number),
      voids: [pg.voids, pg.voids_kopecks].map(Number),
      drawer: Number(pg.cash_in_drawer_kopecks),
    }).toEqual({
      sales: [day.sales.byMethod.cash, day.sales.byMethod.card, day.sales.byMethod.transfer, day.sales.total, day.sales.count],
      refunds: [day.refunds.byMethod.cash, day.refunds.byMethod.card, day.refunds.byMethod.transfer, day.refunds.total, day.refunds.count],
      voids: [day.voids.count, day.voids.total],
      drawer: day.cashInDrawer,
    })
    const clinicDay = (
      await stack.pool.query("SELECT sales_kopecks, cash_in_drawer_kopecks FROM report_end_of_day_clinic WHERE clinic_id = $1 AND day = $2::date", [CLINIC, date])
    ).rows[0]
    const all = await core.call("money.day", { date, allDesks: true })
    expect([Number(clinicDay?.sales_kopecks), Number(clinicDay?.cash_in_drawer_kopecks)]).toEqual([all.sales.total, all.cashInDrawer])
  })
})
