import type { DeskCore } from "@vetsync/client"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClinicStack } from "./helpers/ClinicStack.js"
import { LanWorkload, type Collection, type Tracked } from "./helpers/LanWorkload.js"

const CLINIC = "lan-back"
/** the workload's seed: printed, and replayed with VETSYNC_LAN_SEED=<seed> */
const SEED = process.env.VETSYNC_LAN_SEED ?? String(Date.now() % 1_000_000)
const STEPS = 18
const LAN_MS = 20_000

/**
 * Issue 15's Done-when on the real system: PostgreSQL, the relay with its registry, the bridge and
 * three desks (startDesk, as `vetsync desk --lan-port --lan-peers` runs them) on loopback. With the
 * relay down the desks keep each other current over the LAN, a conflicting edit shows on all three,
 * and their records stay "waiting" (not at the relay); when the relay returns every record reaches
 * PostgreSQL once and nothing is waiting.
 */
describe("three desks over the LAN while the relay is down, and the relay back (issue 15)", () => {
  let stack: ClinicStack
  const desks: DeskCore[] = []

  beforeAll(async () => {
    stack = await ClinicStack.start("lan-relay-back")
    await stack.addClinic(CLINIC, { name: "ЛВС", timeZone: "Europe/Moscow" }, [])
    const ports = [await freePort(), await freePort(), await freePort()]
    const peers = ports.map(p => `127.0.0.1:${p}`)
    for (const [i, port] of ports.entries()) {
      const { dataDir } = await stack.enrol(CLINIC, `desk-${"abc"[i]}`)
      desks.push(await stack.openDesk(dataDir, { port, peers }))
    }
  }, 120_000)
  afterAll(async () => {
    await stack?.close()
  })

  const waiting = (): number[] => desks.map(d => d.status().waitingRecords)
  const rows = async (collection: Collection, ids: string[]): Promise<Map<string, { n: number; value: string }>> => {
    const value = collection === "appointments" ? "to_char(min(starts_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" : "min(notes)"
    const res = await stack.pool.query<{ id: string; n: string; value: string }>(
      `SELECT id::text, count(*) AS n, ${value} AS value FROM ${collection} WHERE clinic_id = $1 GROUP BY id`,
      [CLINIC],
    )
    const seen = new Map(res.rows.map(r => [r.id, { n: Number(r.n), value: r.value }]))
    for (const id of ids) if (!seen.has(id)) return new Map()
    return seen
  }

  it("syncs through the relay, then over the LAN alone (edits, a conflict, records waiting); the relay back takes each record once", async () => {
    console.log(`lanRelayBack seed ${SEED} (replay: VETSYNC_LAN_SEED=${SEED})`)
    const work = new LanWorkload(SEED, desks)

    // relay up: all three sync (and are on the LAN with each other)
    await eventually("each desk on the LAN with the two others", () => desks.every(d => d.status().lanPeers === 2), 30_000)
    await eventually("each desk online at the relay", () => desks.every(d => d.status().online), 30_000)
    const first = await work.createClient(0, 0)
    await work.shows(first, 30_000)
    await eventually("the first client at the relay and in PostgreSQL", async () => waiting().every(n => n === 0) && (await rows("clients", [first.id])).size > 0, 90_000, {
      describe: async () => `waiting ${waiting().join(", ")}; online ${desks.map(d => d.status().online).join(", ")}; rows ${(await rows("clients", [first.id])).size}`,
    })

    // the relay goes down: the desks see it
    await stack.stopRelay()
    await eventually("every desk offline", () => desks.every(d => !d.status().online), 30_000)
    expect(desks.map(d => d.status().lanPeers)).toEqual([2, 2, 2])

    // each desk makes a client; a seeded mix of work follows, each change checked on the other two desks
    for (let i = 0; i < desks.length; i++) await work.shows(await work.createClient(i, i + 1), LAN_MS)
    for (let step = desks.length + 1; step <= desks.length + STEPS; step++) {
      const changed = await work.step(step)
      await work.shows(changed, LAN_MS)
      expect(waiting().every(n => n > 0), `every desk has records waiting for the relay after step ${step}: ${waiting().join(", ")}`).toBe(true)
    }
    console.log(`lanRelayBack seed ${SEED}:\n  ${work.steps.join("\n  ")}`)

    // a conflicting edit: the same field on A and B at once (neither has seen the other's)
    const contested = work.records.find(r => r.collection === "clients") as Tracked
    const phones = ["+79160000001", "+79160000002"]
    await Promise.all([
      desks[0]!.call("clients.update", { id: contested.id, patch: { phone: phones[0]! } }),
      desks[1]!.call("clients.update", { id: contested.id, patch: { phone: phones[1]! } }),
    ])
    const cards = await Promise.all(
      desks.map((d, i) =>
        eventually(
          `desk ${"ABC"[i]} to show the phone as a conflict`,
          async () => {
            const card = await d.call("clients.get", { id: contested.id })
            return card && card.conflicts.length === 1 ? card : null
          },
          LAN_MS,
        ),
      ),
    )
    const kept = cards[0]!.client.phone
    expect(phones).toContain(kept)
    for (const [i, card] of cards.entries()) {
      expect(card.client.phone, `desk ${"ABC"[i]}'s phone`).toBe(kept)
      expect(card.conflicts[0], `desk ${"ABC"[i]}'s conflict`).toMatchObject({ collection: "clients", id: contested.id, field: "phone", kept, others: phones.filter(p => p !== kept) })
      expect((await desks[i]!.call("conflicts.list", undefined)).map(c => c.id)).toEqual([contested.id])
    }
    expect(waiting().every(n => n > 0), `records still waiting with the relay down: ${waiting().join(", ")}`).toBe(true)

    // the relay returns: every record reaches PostgreSQL once, with its last value; nothing waits
    await stack.startRelay()
    await eventually("nothing waiting on any desk", () => waiting().every(n => n === 0), 90_000, { describe: () => `waiting ${waiting().join(", ")}` })
    for (const collection of ["clients", "patients", "appointments"] as const) {
      const mine = work.records.filter(r => r.collection === collection)
      const ids = mine.map(r => r.id)
      const seen = await eventually(
        `every one of the ${ids.length} ${collection} in PostgreSQL with its last value`,
        async () => {
          const got = await rows(collection, ids)
          return mine.every(r => got.get(r.id)?.value === r.value) ? got : null
        },
        90_000,
      )
      expect([...seen.keys()].sort(), `${collection}: no row missing, none extra`).toEqual([...ids].sort())
      expect([...seen.values()].every(r => r.n === 1), `${collection}: one row per id`).toBe(true)
    }
    const phoneRow = await stack.pool.query<{ phone: string }>("SELECT phone FROM clients WHERE id = $1", [contested.id])
    expect(phoneRow.rows.map(r => r.phone)).toEqual([kept])
  })
})
