import { join } from "node:path"
import { useTestDatabase } from "@vetsync/db/testing"
import { eventually } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"
import { Bridge } from "../src/Bridge.js"

const db = useTestDatabase({ prefix: "bridge-share" })
const CLINICS = ["s1", "s2", "s3", "s4"]
const TTL = 1_500
const open: Bridge[] = []

afterAll(async () => {
  await Promise.all(open.map(b => b.stop().catch(() => undefined)))
})

const start = async (holder: string, lines: string[] = []): Promise<Bridge> => {
  const bridge = await Bridge.start({
    dataDir: join(db.dir, holder),
    databaseUrl: db.url,
    share: { holder, ttlMs: TTL, renewMs: 300 },
    workers: 2,
    log: line => lines.push(line),
  })
  open.push(bridge)
  return bridge
}

const leases = async (): Promise<Map<string, string>> => {
  const { rows } = await db.pool.query<{ clinic_id: string; holder: string }>(
    "SELECT clinic_id, holder FROM clinic_leases WHERE role = 'bridge' AND expires_at >= now()",
  )
  return new Map(rows.map(r => [r.clinic_id, r.holder]))
}

const heldBy = async (holder: string): Promise<string[]> =>
  [...(await leases())]
    .filter(([, h]) => h === holder)
    .map(([c]) => c)
    .sort()

describe("bridges sharing the clinics out (in one process, leases in PostgreSQL)", () => {
  it("one alone takes them all; a second gets its share given back; a clean stop hands them over at once", async () => {
    for (const c of CLINICS) await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [c])
    const linesA: string[] = []
    const a = await start("bridge-a", linesA)
    // alone: every clinic, followed by the time start() resolves
    expect(a.clinics.sort()).toEqual(CLINICS)
    expect(await heldBy("bridge-a")).toEqual(CLINICS)

    const b = await start("bridge-b")
    await eventually(
      "two clinics each",
      async () => (await heldBy("bridge-a")).length === 2 && (await heldBy("bridge-b")).length === 2,
      TTL * 6,
    )
    // each works on exactly the clinics it holds
    await eventually("each bridge to work on its own clinics", async () =>
      a.clinics.sort().join() === (await heldBy("bridge-a")).join() &&
      b.clinics.sort().join() === (await heldBy("bridge-b")).join(),
      TTL * 4,
    )
    expect(linesA.filter(l => l.startsWith("gave clinic"))).toHaveLength(2)
    expect([...a.clinics, ...b.clinics].sort()).toEqual(CLINICS)

    // a clinic added later falls to one of them
    await a.addClinic("s5")
    await eventually("s5 held", async () => (await leases()).has("s5"), TTL * 4)

    // a clean stop gives its leases back and leaves the members at once: the other takes everything
    await b.stop()
    expect((await db.pool.query("SELECT clinic_id FROM clinic_leases WHERE holder = 'bridge-b'")).rows).toEqual([])
    expect((await db.pool.query("SELECT member FROM lease_members WHERE member = 'bridge-b'")).rows).toEqual([])
    await eventually("bridge-a to hold every clinic", async () => (await heldBy("bridge-a")).length === 5, TTL * 4)
    await eventually("bridge-a to work on every clinic", () => a.clinics.length === 5, TTL * 4)
  }, 240_000)
})
