import { useTestDatabase } from "@vetsync/db/testing"
import { clinicAdd } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"
import { FailoverCluster } from "./helpers/FailoverCluster.js"

const db = useTestDatabase({ prefix: "plannedrestart" })
let cluster: FailoverCluster | undefined

afterAll(async () => {
  await cluster?.close()
})

/** The clinic's relay lease by PostgreSQL's clock: holder, expiry and now (epoch ms). */
const lease = async (clinicId: string): Promise<{ holder?: string; expires?: number; now: number }> => {
  const { rows } = await db.pool.query<{ holder: string | null; expires: number | null; now: number }>(
    `SELECT l.holder, extract(epoch FROM l.expires_at) * 1000 AS expires, extract(epoch FROM now()) * 1000 AS now
       FROM (SELECT 1) one LEFT JOIN clinic_leases l ON l.role = 'relay' AND l.clinic_id = $1`,
    [clinicId],
  )
  const r = rows[0]
  // extract() is numeric, which pg hands over as a string: a string expiry made the last
  // assertion a TypeError when the lease was released before the watch first polled it
  return { holder: r?.holder ?? undefined, expires: r?.expires == null ? undefined : Number(r.expires), now: Number(r?.now) }
}

describe("two relay processes on one PostgreSQL, one stopped with SIGTERM (a planned restart)", () => {
  it("the stopping relay releases its leases: the other takes the clinic before the old lease would have expired, and the desk carries on", async () => {
    await clinicAdd(db.pool, "x")
    const c = (cluster = await FailoverCluster.start({ dir: db.dir, databaseUrl: db.url, pool: db.pool }))
    const x1 = await c.startDesk("x", "x1")
    await c.addClient(x1, 30_000)
    const first = await lease("x")
    const stopped = c.relays.find(r => r.id === first.holder)
    const other = c.relays.find(r => r.id !== first.holder)
    expect(stopped && other).toBeTruthy()
    if (!stopped || !other) return

    // watch the lease (PostgreSQL's clock) while the holder stops: the old holder's last expiry, then who took it when
    let lastExpiry = first.expires ?? 0
    let takenAt: number | undefined
    let watching = true
    const watch = (async () => {
      while (watching && takenAt === undefined) {
        const l = await lease("x")
        if (l.holder === stopped.id && l.expires !== undefined) lastExpiry = Math.max(lastExpiry, l.expires)
        if (l.holder === other.id) takenAt = l.now
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    })()
    await stopped.proc.stop()
    expect(stopped.proc.exits.at(-1)).toMatchObject({ code: 0, expected: true })
    try {
      const afterStop = await c.addClient(x1, 30_000)
      await eventually("the other relay to hold clinic x", () => takenAt !== undefined, 10_000)
      expect(afterStop.id).toBeTruthy()
    } finally {
      watching = false
      await watch
    }
    // taken over from a release, not an expiry: the stopped relay's lease still had time to run
    expect(takenAt).toBeLessThan(lastExpiry)
    expect(x1.adapter.target).not.toContain(`:${stopped.port}/`)
  })
})
