import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Cluster } from "../Cluster.js"
import { desksAdd, green, vetsync } from "../admin.js"
import { inPostgres, ok, row, sameAsPostgres, someWork } from "./recovery.js"

/**
 * Issue 14, point 8: a desk whose disk is lost re-downloads its clinic and keeps nothing wrong. Relay,
 * bridge and two desks as separate processes, the registry and the projection in a real PostgreSQL. Desk 1
 * works (acknowledged), then works cut off from the relay (never acknowledged), is stopped and its data
 * directory deleted. The administrator revokes it and issues a new enrolment token; the desk enrols
 * again on the same machine and directory, and holds exactly what PostgreSQL holds, numbers its invoices
 * with a code never used before, and what it writes reaches PostgreSQL and the other desk.
 */
describe("a desk whose disk is lost", () => {
  let cluster: Cluster
  let runDir: string
  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), "vetsync-lost-desk-"))
    cluster = await Cluster.start({
      runDir,
      desks: 2,
      clinicId: `lost-desk-${randomBytes(3).toString("hex")}`,
      deskPrefix: `ld${randomBytes(3).toString("hex")}-`,
      log: () => undefined,
    })
  }, 300_000)
  afterAll(async () => {
    await cluster?.close()
    if (runDir) rmSync(runDir, { recursive: true, force: true })
  })

  it("enrols again, re-downloads its clinic, keeps nothing unacknowledged and never reuses an invoice number", async () => {
    const [d1, d2] = cluster.desks
    if (!d1 || !d2) throw new Error("two desks expected")
    const first = await someWork(d1, "Смирнова Ольга Петровна", 7)
    const second = await someWork(d1, "Кузнецов Павел Андреевич", 8)
    const other = await someWork(d2, "Орлова Анна Сергеевна", 9)
    for (const d of [d1, d2]) await green(d, "after the morning's work")
    for (const w of [first, second, other]) await inPostgres(cluster, `invoice ${w.number}`, "invoices", w.invoiceId)
    await sameAsPostgres(cluster, d2, "before desk 1's disk is lost")

    // desk 1 loses the relay and works on: none of this is ever acknowledged
    d1.proxy.drop()
    await eventually("desk 1 to see the relay gone", async () => {
      const s = await d1.client.call("status", undefined)
      return s.kind === "ok" && !s.value.online
    }, 60_000)
    const lost = await someWork(d1, "Потерянный Клиент", 10)
    expect(ok("status", await d1.client.call("status", undefined)).waitingRecords).toBeGreaterThanOrEqual(3)
    expect(lost.number.startsWith(`${d1.code}-`)).toBe(true)

    // its disk is lost while it is stopped
    await d1.proc.stop()
    rmSync(d1.dataDir, { recursive: true, force: true })
    d1.proxy.heal()
    const issued = new Set((await cluster.pool.query<{ number: string }>("SELECT number FROM invoices WHERE clinic_id = $1", [cluster.clinicId])).rows.map(r => r.number))
    expect(issued.size).toBe(3)

    // the administrator revokes the lost desk and issues a new enrolment token, as the README says
    const revoked = await vetsync(cluster, ["desks", "revoke", d1.deskId])
    expect(revoked.code, revoked.stderr).toBe(0)
    const added = await desksAdd(cluster)
    expect(added.code).not.toBe(d1.code)
    expect(added.code).not.toBe(d2.code)
    const again = await cluster.enrolDesk("desk-1-again", added, d1.dataDir)
    expect(existsSync(join(d1.dataDir, "credential.json"))).toBe(true)

    await green(again, "after enrolling again")
    await sameAsPostgres(cluster, again, "after re-downloading the clinic")
    // everything acknowledged before, its own and the other desk's, is back
    for (const w of [first, second, other]) {
      const inv = ok("invoice", await again.client.call("invoices.get", { id: w.invoiceId }))
      expect(inv?.number).toBe(w.number)
      expect(ok("client", await again.client.call("clients.get", { id: w.clientId }))?.client.id).toBe(w.clientId)
    }
    // nothing of the lost disk's unacknowledged work comes back, on the desk or in PostgreSQL
    expect(ok("client", await again.client.call("clients.get", { id: lost.clientId }))).toBeNull()
    expect(ok("invoice", await again.client.call("invoices.get", { id: lost.invoiceId }))).toBeNull()
    expect(await row(cluster, "clients", lost.clientId)).toBeUndefined()
    expect(await row(cluster, "invoices", lost.invoiceId)).toBeUndefined()

    // it writes again: a number never issued before, with its new code, reaching PostgreSQL and desk 2
    const later = await someWork(again, "Новикова Мария Игоревна", 11)
    expect(later.number.startsWith(`${added.code}-`), later.number).toBe(true)
    expect(issued.has(later.number)).toBe(false)
    expect(later.number).not.toBe(lost.number)
    await green(again, "after its new work")
    await inPostgres(cluster, `invoice ${later.number}`, "invoices", later.invoiceId)
    expect((await row(cluster, "invoices", later.invoiceId))?.number).toBe(later.number)
    const numbers = (await cluster.pool.query<{ number: string }>("SELECT number FROM invoices WHERE clinic_id = $1", [cluster.clinicId])).rows.map(r => r.number)
    expect(new Set(numbers).size).toBe(numbers.length)
    await sameAsPostgres(cluster, again, "after its new work")
    await sameAsPostgres(cluster, d2, "after the desk came back")
  }, 900_000)
})
