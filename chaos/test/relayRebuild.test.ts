import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Cluster } from "../Cluster.js"
import { refusals } from "../evidence.js"
import { desksAdd, green, vetsync } from "../admin.js"
import { inPostgres, ok, row, sameAsPostgres, someWork } from "./recovery.js"

/**
 * Issue 14 point 8 / issue 13 point 2: a relay whose disk is lost is rebuilt from the bridge's replica
 * (`vetsync relay rebuild --from bridge-replica`). Relay (files storage), bridge and two desks as separate
 * processes, registry and projection in a real PostgreSQL. One record is acknowledged by the relay while
 * the bridge is stopped, so the replica lacks it: the desk that wrote it must send it again to the rebuilt
 * relay. Desk 2 is cut off from the lost relay on, so its work reaches the rebuilt relay only through the
 * replica. The relay's directory is deleted, rebuilt while the bridge runs, and the relay started on it: a
 * desk enrolled then gets the whole clinic (desk 2's work included), and once desk 2 is back every desk
 * holds what PostgreSQL holds, with nothing acknowledged lost.
 */
describe("a relay whose disk is lost", () => {
  let cluster: Cluster
  let runDir: string
  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), "vetsync-relay-rebuild-"))
    cluster = await Cluster.start({
      runDir,
      desks: 2,
      clinicId: `rebuild-${randomBytes(3).toString("hex")}`,
      deskPrefix: `rb${randomBytes(3).toString("hex")}-`,
      log: () => undefined,
    })
  }, 300_000)
  afterAll(async () => {
    await cluster?.close()
    if (runDir) rmSync(runDir, { recursive: true, force: true })
  })

  it("is rebuilt from the bridge's replica; desks converge, nothing acknowledged is lost, a new desk gets the clinic", async () => {
    const [d1, d2] = cluster.desks
    if (!d1 || !d2) throw new Error("two desks expected")
    const relayDir = join(runDir, "relay")
    const work = [await someWork(d1, "Смирнова Ольга Петровна", 7), await someWork(d2, "Орлова Анна Сергеевна", 8)]
    for (const d of [d1, d2]) await green(d, "after the morning's work")
    for (const w of work) await inPostgres(cluster, `invoice ${w.number}`, "invoices", w.invoiceId)

    // acknowledged by the relay (durable on its disk) while the bridge is away: not in the bridge's replica
    await cluster.bridge.stop()
    const onlyOnRelay = await someWork(d1, "Кузнецов Павел Андреевич", 9)
    await green(d1, "with the bridge stopped")
    expect(await row(cluster, "invoices", onlyOnRelay.invoiceId)).toBeUndefined()

    // desk 2 stays away until the end: its work reaches the rebuilt relay only through the bridge's replica
    d2.proxy.drop()
    // the relay's disk is lost; the bridge runs on (its replica is copied while it runs)
    await cluster.relay.stop()
    rmSync(relayDir, { recursive: true, force: true })
    await cluster.startBridge()
    const started = performance.now()
    const rebuilt = await vetsync(cluster, ["relay", "rebuild", "--relay-data", relayDir, "--from", "bridge-replica", join(runDir, "bridge")])
    const wallSeconds = (performance.now() - started) / 1000
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    const said = /(\d+) documents, (\d+) chunks, (\d+) bytes, clinics (\S+) \(([\d.]+) s\)/.exec(rebuilt.stdout)
    expect(said, rebuilt.stdout).not.toBeNull()
    expect(Number(said?.[1])).toBeGreaterThan(5)
    expect(said?.[4]).toBe(cluster.clinicId)
    const ownership = JSON.parse(readFileSync(join(relayDir, "ownership.json"), "utf8")) as { clinics: string[] }
    expect(ownership.clinics).toEqual([cluster.clinicId])
    expect(existsSync(join(relayDir, "snapshots"))).toBe(false)
    console.log(`relay rebuild: ${said?.[1]} documents, ${said?.[3]} bytes in ${said?.[5]} s (the command's own count); ${wallSeconds.toFixed(1)} s with the command's start`)

    // the bridge sends its replica to a relay it reconnects to: it stays away until desk 3 has the clinic,
    // so what desk 3 downloads comes from the rebuilt directory (and desk 1) only
    await cluster.bridge.stop()
    const restart = performance.now()
    await cluster.startRelay()
    await green(d1, "after the relay was rebuilt")
    console.log(`relay start on the rebuilt directory -> desk 1 online with nothing waiting: ${((performance.now() - restart) / 1000).toFixed(1)} s`)

    // a desk enrolled now downloads the whole clinic from the rebuilt relay, desk 2's work included
    const d3 = await cluster.enrolDesk("desk-3", await desksAdd(cluster))
    await green(d3, "after enrolling at the rebuilt relay")
    for (const w of [...work, onlyOnRelay])
      await eventually(`desk 3 to show invoice ${w.number}`, async () => ok("invoice", await d3.client.call("invoices.get", { id: w.invoiceId }))?.number === w.number, 180_000, { pollMs: 250 })

    // the bridge is back: what only the lost relay had acknowledged reaches PostgreSQL from the desk that wrote it
    await cluster.startBridge()
    await inPostgres(cluster, "the invoice only the lost relay had", "invoices", onlyOnRelay.invoiceId)
    for (const d of [d1, d3]) await sameAsPostgres(cluster, d, "after the relay was rebuilt (desk 2 still away)")

    // desk 2 comes back and writes on; every desk converges
    d2.proxy.heal()
    await green(d2, "back at the rebuilt relay")
    const after = await someWork(d2, "Новикова Мария Игоревна", 10)
    await inPostgres(cluster, `invoice ${after.number}`, "invoices", after.invoiceId)
    for (const d of [d1, d2, d3]) await green(d, "at the end")
    for (const d of [d1, d2, d3]) await sameAsPostgres(cluster, d, "at the end")
    const ids = new Set((await cluster.pool.query<{ id: string }>("SELECT id::text AS id FROM invoices WHERE clinic_id = $1", [cluster.clinicId])).rows.map(r => r.id))
    expect([...work, onlyOnRelay, after].every(w => ids.has(w.invoiceId))).toBe(true)
    expect(refusals(join(runDir, "relay.log"))).toEqual([])
  }, 900_000)
})
