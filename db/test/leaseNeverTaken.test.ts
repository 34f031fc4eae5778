import { useTestDatabase } from "@vetsync/db/testing"
import { eventually } from "@vetsync/test-kit"
import type pg from "pg"
import { afterEach, describe, expect, it } from "vitest"
import { ClinicLeases } from "../src/leases/ClinicLeases.js"

const db = useTestDatabase({ prefix: "leasenevertaken" })
const open: ClinicLeases[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map(l => l.stop()))
  await db.pool.query("TRUNCATE clinic_leases")
})

/** A seeded generator (mulberry32): a failing trial can be run again. */
const seeded = (seed: number) => (): number => {
  let t = (seed = (seed + 0x6d2b79f5) | 0)
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** The pool, with every statement delayed by up to `maxMs` (split before and after it): a slow network or PostgreSQL. */
const slowPool = (pool: pg.Pool, random: () => number, maxMs: number): pg.Pool =>
  new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop !== "query") return Reflect.get(target, prop, receiver) as unknown
      return async (...args: unknown[]) => {
        const total = random() * maxMs
        const before = random() * total
        await pause(before)
        const query = target.query as (...a: unknown[]) => Promise<unknown>
        const result = await query.apply(target, args)
        await pause(total - before)
        return result
      }
    },
  })

const leases = (holder: string, pool: pg.Pool, ttlMs: number, lost: string[]): ClinicLeases => {
  const l = new ClinicLeases({
    pool,
    role: "relay",
    holder,
    holderUrl: `ws://${holder}.test/sync`,
    ttlMs,
    // the relays' ratio (RELAY_LEASE_RENEW_PARTS)
    renewMs: Math.round(ttlMs / 5),
    onLost: c => lost.push(c),
  })
  l.start()
  open.push(l)
  return l
}

describe("a lease held and renewed by a live holder", () => {
  // renewals every ttl/5, each statement slowed by up to 1.5 renewals (under the (ttl - renew)/2
  // a renewal may take and still come back in time), another holder asking at random all along
  for (const seed of [1, 2, 3, 4]) {
    it(`is never taken, whatever the timings (seed ${seed})`, async () => {
      const random = seeded(seed)
      const ttlMs = 500 + Math.round(random() * 1_000)
      const lostByA: string[] = []
      const a = leases("relay-a", slowPool(db.pool, random, 1.5 * (ttlMs / 5)), ttlMs, lostByA)
      const b = leases("relay-b", db.pool, ttlMs, [])
      expect(await a.acquire("c1")).toEqual({ held: true, fresh: true })
      const until = performance.now() + 4 * ttlMs
      let asked = 0
      while (performance.now() < until) {
        const answer = await b.acquire("c1")
        asked++
        expect(answer, `relay-b's attempt ${asked}, ttl ${ttlMs} ms`).toMatchObject({ held: false, holder: "relay-a" })
        await pause(random() * ttlMs * 0.2)
      }
      expect(lostByA).toEqual([])
      expect(a.holds("c1")).toBe(true)
      expect(asked).toBeGreaterThan(10)

      // the same contender takes it once relay-a dies (stops renewing): the check can fail
      a.halt()
      await eventually("relay-b to take the lease of the dead relay-a", async () => (await b.acquire("c1")).held, 4 * ttlMs)
    }, 30_000)
  }
})
