import { useTestDatabase } from "@vetsync/db/testing"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import { ClinicLeases, type ClinicLeasesOptions } from "../src/leases/ClinicLeases.js"
import { leaveMembership, liveLeases, renewMembership } from "../src/leases/leaseQueries.js"

const db = useTestDatabase({ prefix: "leases" })
const TTL = 1_500
const open: ClinicLeases[] = []

const relay = (name: string, extra: Partial<ClinicLeasesOptions> = {}): ClinicLeases => {
  const leases = new ClinicLeases({
    pool: db.pool,
    role: "relay",
    holder: name,
    holderUrl: `ws://${name}.test/sync`,
    ttlMs: TTL,
    renewMs: 400,
    onLost: () => undefined,
    ...extra,
  })
  leases.start()
  open.push(leases)
  return leases
}

afterEach(async () => {
  await Promise.all(open.splice(0).map(l => l.stop()))
  await db.pool.query("TRUNCATE clinic_leases, lease_members")
})

describe("ClinicLeases on PostgreSQL", () => {
  it("two relays contend for the same clinics: each clinic has one holder, and the other is told who", async () => {
    const a = relay("relay-a")
    const b = relay("relay-b")
    const clinics = ["c1", "c2", "c3", "c4", "c5"]
    const answers = await Promise.all(clinics.flatMap(c => [a.acquire(c), b.acquire(c)]))
    for (const [i, clinic] of clinics.entries()) {
      const [ofA, ofB] = [answers[2 * i], answers[2 * i + 1]]
      expect([ofA?.held, ofB?.held].filter(Boolean)).toHaveLength(1)
      const holder = ofA?.held ? a : b
      const other = ofA?.held ? ofB : ofA
      expect(other).toEqual({ held: false, holder: holder.holder, url: holder.holderUrl })
      expect(a.holds(clinic)).toBe(holder === a)
      expect(b.holds(clinic)).toBe(holder === b)
      expect((await a.lease(clinic))?.holder).toBe(holder.holder)
    }
    // renewals keep them where they are, past several lease lengths
    const before = clinics.map(c => a.holds(c))
    const [ra, rb] = [a.renewals, b.renewals]
    // six rounds of renewals every 400 ms: longer than a lease
    await eventually("six rounds of renewals", () => a.renewals >= ra + 6 && b.renewals >= rb + 6, TTL * 4)
    expect(clinics.map(c => a.holds(c))).toEqual(before)
    expect(clinics.map(c => b.holds(c))).toEqual(before.map(h => !h))
  })

  it("after the holder stops renewing, the other relay takes the clinic within the lease's length", async () => {
    const a = relay("relay-a")
    const b = relay("relay-b")
    expect(await a.acquire("c1")).toEqual({ held: true, fresh: true })
    expect((await b.acquire("c1")).held).toBe(false)
    a.halt()
    const halted = performance.now()
    await eventually("relay-b takes c1", async () => (await b.acquire("c1")).held, TTL * 2 + 1_000)
    console.log(`lease taken over ${Math.round(performance.now() - halted)} ms after the holder stopped renewing`)
    expect(b.holds("c1")).toBe(true)
    expect((await b.lease("c1"))?.holder).toBe("relay-b")
  })

  it("a relay that finds its lease taken drops the clinic; a clean stop releases at once", async () => {
    const lost: string[] = []
    const a = relay("relay-a", { onLost: c => lost.push(c), renewMs: 60_000 })
    const b = relay("relay-b")
    expect((await a.acquire("c1")).held).toBe(true)
    expect((await a.acquire("c2")).held).toBe(true)
    // a's renewals stall (a long pause): its lease of c1 runs out, and b takes it
    await db.pool.query("UPDATE clinic_leases SET expires_at = now() - interval '1 second' WHERE clinic_id = 'c1'")
    expect((await b.acquire("c1")).held).toBe(true)
    await a.renew()
    expect(lost).toEqual(["c1"])
    expect(a.held).toEqual(["c2"])
    expect((await b.acquire("c2")).held).toBe(false)
    await a.stop()
    expect(await b.acquire("c2")).toEqual({ held: true, fresh: true })
  })

  it("relays' and bridges' leases are apart: a clinic has one holder of each role; release gives one back at once", async () => {
    const r = relay("relay-a")
    const b1 = relay("bridge-1", { role: "bridge" })
    const b2 = relay("bridge-2", { role: "bridge" })
    expect((await r.acquire("c1")).held).toBe(true)
    expect(await b1.acquire("c1")).toEqual({ held: true, fresh: true })
    expect(await b2.acquire("c1")).toEqual({ held: false, holder: "bridge-1", url: b1.holderUrl })
    expect((await r.lease("c1"))?.holder).toBe("relay-a")
    expect((await b2.lease("c1"))?.holder).toBe("bridge-1")
    expect([...(await liveLeases(db.pool, "bridge"))]).toEqual([["c1", "bridge-1"]])
    await b1.release("c1")
    expect(b1.holds("c1")).toBe(false)
    expect(await b2.acquire("c1")).toEqual({ held: true, fresh: true })
    // the relay's lease never moved
    expect(r.holds("c1")).toBe(true)
    expect((await r.lease("c1"))?.holder).toBe("relay-a")
  })

  it("members: each says it takes part for a lease's length; one that stops saying so drops out, one that leaves at once", async () => {
    expect(await renewMembership(db.pool, "bridge", "bridge-1", TTL)).toEqual(["bridge-1"])
    expect(await renewMembership(db.pool, "bridge", "bridge-2", TTL)).toEqual(["bridge-1", "bridge-2"])
    // relays' membership is apart
    expect(await renewMembership(db.pool, "relay", "relay-a", TTL)).toEqual(["relay-a"])
    await leaveMembership(db.pool, "bridge", "bridge-1")
    expect(await renewMembership(db.pool, "bridge", "bridge-2", TTL)).toEqual(["bridge-2"])
    await renewMembership(db.pool, "bridge", "bridge-1", TTL)
    await eventually(
      "bridge-1's membership to expire",
      async () => (await renewMembership(db.pool, "bridge", "bridge-2", TTL)).join() === "bridge-2",
      TTL * 3,
    )
  })
})
