import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { AtolDriver10Register } from "../../src/core/fiscal/AtolDriver10Register.js"
import { FiscalDesk } from "../../src/core/fiscal/FiscalDesk.js"
import { FiscalEmulator } from "../../src/core/fiscal/FiscalEmulator.js"
import { ReceiptQueue } from "../../src/core/fiscal/ReceiptQueue.js"
import { simpleSale } from "./arbitraries.js"
import { AtolTestServer } from "./AtolTestServer.js"

const dirs: string[] = []
const closers: (() => Promise<void>)[] = []
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-fiscal-"))
  dirs.push(d)
  return d
}
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const atolSetup = async (): Promise<{ server: AtolTestServer; emulator: FiscalEmulator; register: () => AtolDriver10Register }> => {
  const emulator = new FiscalEmulator()
  const server = new AtolTestServer(emulator)
  await server.start()
  closers.push(() => server.stop())
  await emulator.openShift()
  const register = (): AtolDriver10Register => {
    const r = new AtolDriver10Register({ url: server.url, pollMs: 10, resultTimeoutMs: 60_000, httpTimeoutMs: 2_000 })
    closers.push(() => r.close())
    return r
  }
  return { server, emulator, register }
}
const soldKeys = (e: FiscalEmulator): string[] => e.journal().flatMap(j => (j.type === "sell" ? [j.key] : []))

describe("the desk's receipt queue", () => {
  it("a receipt sent when the desk died is sent again under the same uuid after the restart, and printed once", async () => {
    const dir = tmp()
    const { server, emulator, register } = await atolSetup()
    server.hold = true
    const before = new ReceiptQueue(path.join(dir, "fiscal.sqlite"), register())
    const sale = simpleSale(randomUUID())
    before.add(sale)
    void before.process()
    await eventually("the driver got the receipt", () => server.posts.includes(sale.key), 10_000)
    // the desk dies here: its receipt is "sending", the register's answer never reached it
    const after = new ReceiptQueue(path.join(dir, "fiscal.sqlite"), register())
    closers.push(() => after.close())
    expect(after.get(sale.key)?.state).toBe("pending")
    await server.release()
    await after.process()
    const done = after.get(sale.key)
    expect(done?.state).toBe("done")
    expect(soldKeys(emulator)).toEqual([sale.key])
    expect(server.posts).toEqual([sale.key])
    const journalDoc = emulator.journal().find(j => j.type === "sell")
    expect(journalDoc && "doc" in journalDoc ? journalDoc.doc.number : -1).toBe(done?.doc?.number)
    await before.close()
  })

  it("a refused receipt stays failed and visible; a retry prints it once, under a new key, when paper is back", async () => {
    const dir = tmp()
    const emulator = new FiscalEmulator({ journalPath: path.join(dir, "journal.jsonl") })
    await emulator.openShift()
    const desk = new FiscalDesk({
      dataDir: dir,
      config: { kind: "emulator" },
      deskId: "desk-1",
      timeZone: () => "Europe/Moscow",
      register: emulator,
      retryMs: 60_000,
    })
    closers.push(() => desk.close())
    emulator.setPaper(false)
    const sale = simpleSale(randomUUID())
    const first = await desk.receipt(sale)
    expect(first).toMatchObject({ state: "failed", error: { kind: "paper-out" } })
    expect(desk.receipts(["failed"]).map(r => r.key)).toEqual([sale.key])
    // the same key again is the same receipt, not a second one
    expect((await desk.receipt(sale)).state).toBe("failed")
    emulator.setPaper(true)
    for (let i = 0; i < 3; i++) await desk.retry(sale.key)
    const done = desk.queue.get(sale.key)
    expect(done).toMatchObject({ state: "done", error: null })
    expect(emulator.journal().filter(j => j.type === "sell")).toHaveLength(1)
    expect((await desk.status()).failed).toBe(0)
  })

  it("an unreachable register leaves the receipt pending; the automatic retry sends it when the register is back", async () => {
    const dir = tmp()
    const { server, emulator, register } = await atolSetup()
    server.down = true
    const desk = new FiscalDesk({
      dataDir: dir,
      config: { kind: "atol", url: server.url },
      deskId: "desk-1",
      timeZone: () => "Europe/Moscow",
      register: register(),
      retryMs: 100,
    })
    closers.push(() => desk.close())
    const sale = simpleSale(randomUUID())
    expect(await desk.receipt(sale)).toMatchObject({ state: "pending", error: { kind: "not-connected" } })
    server.down = false
    await eventually("the receipt fiscalised by the automatic retry", () => desk.queue.get(sale.key)?.state === "done", 10_000)
    expect(soldKeys(emulator)).toEqual([sale.key])
  })

  it("the day's cash report sums fiscalised sales and refunds by payment method, in the clinic's day", async () => {
    const dir = tmp()
    let now = Date.parse("2026-12-01T06:00:00Z") // 09:00 in Moscow
    const emulator = new FiscalEmulator({ now: () => new Date(now) })
    await emulator.openShift()
    const desk = new FiscalDesk({
      dataDir: dir,
      config: { kind: "emulator" },
      deskId: "desk-1",
      timeZone: () => "Europe/Moscow",
      register: emulator,
      now: () => new Date(now),
      retryMs: 60_000,
    })
    closers.push(() => desk.close())
    await desk.receipt({ ...simpleSale(randomUUID(), 300_000), payments: [{ method: "cash", amount: 100_000 }, { method: "card", amount: 200_000 }] })
    await desk.receipt(simpleSale(randomUUID(), 50_000))
    await desk.receipt(simpleSale(randomUUID(), 20_000, "refund"))
    emulator.setPaper(false)
    await desk.receipt(simpleSale(randomUUID(), 99_900))
    now = Date.parse("2026-12-01T21:30:00Z") // 00:30 on the 2nd in Moscow: the next day
    emulator.setPaper(true)
    await desk.receipt(simpleSale(randomUUID(), 70_000))
    const day = desk.day("2026-12-01")
    expect(day).toMatchObject({
      date: "2026-12-01",
      deskId: "desk-1",
      sales: { byMethod: { cash: 150_000, card: 200_000, transfer: 0 }, total: 350_000, count: 2 },
      refunds: { byMethod: { cash: 20_000, card: 0, transfer: 0 }, total: 20_000, count: 1 },
      cashInDrawer: 130_000,
      unfiscalised: 1,
    })
    expect(desk.day("2026-12-02").sales.total).toBe(70_000)
  })
})
