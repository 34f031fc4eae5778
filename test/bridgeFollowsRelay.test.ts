import { setPrice } from "@vetsync/bridge"
import { useTestDatabase } from "@vetsync/db/testing"
import { docIdFor, priceItemsOfDoc, type PriceListDoc } from "@vetsync/shared"
import { clinicAdd, serviceAdd } from "@vetsync/sync-server"
import { eventually, type SupervisedProcess } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"
import { startBridgeProcess } from "./helpers/BridgeProcess.js"
import { FailoverCluster, type TestDesk } from "./helpers/FailoverCluster.js"

const db = useTestDatabase({ prefix: "bridgerelay" })
let cluster: FailoverCluster | undefined
let bridge: SupervisedProcess | undefined

afterAll(async () => {
  await bridge?.stop().catch(() => bridge?.kill9())
  await cluster?.close()
})

/** A `vetsync bridge` process on the test's PostgreSQL, given one relay's own address; resolves once it answers /ready 200. */
const startBridge = async (relayUrl: string, credential: string): Promise<void> => {
  bridge = (await startBridgeProcess({ dir: db.dir, databaseUrl: db.url, relayUrl, credential })).proc
}

/** The end of the bridge's and the relays' logs, for a failure's message. */
const logs = (): string =>
  [bridge && `bridge:\n${bridge.log().slice(-3000)}`, ...(cluster?.relays ?? []).map(r => `${r.id}:\n${r.proc.log().slice(-2000)}`)]
    .filter(Boolean)
    .join("\n")

/** Clients of the clinic in PostgreSQL: id -> row_version. */
const rows = async (clinicId: string): Promise<Map<string, number>> => {
  const { rows } = await db.pool.query<{ id: string; row_version: number }>(
    "SELECT id::text, row_version FROM clients WHERE clinic_id = $1",
    [clinicId],
  )
  return new Map(rows.map(r => [r.id, r.row_version]))
}

const priceOn = async (desk: TestDesk, code: string): Promise<number | undefined> => {
  const handle = await desk.repo.find<PriceListDoc>(docIdFor(desk.clinicId, "pricelist"))
  return priceItemsOfDoc(handle.doc()).find(i => i.code === code)?.price
}

describe("a bridge given one relay of two, its clinic held by the other", () => {
  it("follows the relay holding the clinic: desk edits reach PostgreSQL once and the price list reaches the desks, also after that relay is killed", async () => {
    await clinicAdd(db.pool, "x")
    await setPrice(db.pool, "x", { code: "S001", name: "Консультация", price: 150_000 })
    const { credential } = await serviceAdd(db.pool, "bridge")
    const c = (cluster = await FailoverCluster.start({ dir: db.dir, databaseUrl: db.url, pool: db.pool }))
    const x1 = await c.startDesk("x", "x1")
    const holderId = await c.holderOf("x")
    const held = c.relays.find(r => r.id === holderId)
    const other = c.relays.find(r => r.id !== holderId)
    expect(held && other).toBeTruthy()
    if (!held || !other) return
    await startBridge(`ws://127.0.0.1:${other.port}/sync`, credential)

    // a desk's edits at the relay holding X reach PostgreSQL through the bridge given the other relay
    const written: string[] = []
    for (let i = 0; i < 3; i++) written.push((await c.addClient(x1, 30_000)).id)
    const allInPostgres = () =>
      eventually(
        "every client of x in PostgreSQL",
        async () => {
          const r = await rows("x")
          return written.every(id => r.has(id))
        },
        60_000,
        { describe: logs },
      )
    await allInPostgres()
    // the price list the bridge publishes reaches the desk, and so does a change of it
    await eventually("the price list on desk x1", async () => (await priceOn(x1, "S001")) === 150_000, 60_000, { describe: logs })
    await setPrice(db.pool, "x", { code: "S001", name: "Консультация", price: 160_000 })
    await eventually("the new price on desk x1", async () => (await priceOn(x1, "S001")) === 160_000, 60_000, { describe: logs })

    // the relay holding X dies: X moves to the other relay, the desk and the bridge follow it there
    await held.proc.kill9()
    const killedAt = performance.now()
    written.push((await c.addClient(x1, 30_000)).id)
    const ackedMs = Math.round(performance.now() - killedAt)
    await allInPostgres()
    const inPostgresMs = Math.round(performance.now() - killedAt)
    console.log(
      `bridge after failover: kill -9 of ${held.id}; desk x1's next edit acknowledged by ${other.id} after ${ackedMs} ms, in PostgreSQL through the bridge after ${inPostgresMs} ms`,
    )
    expect(await c.holderOf("x")).toBe(other.id)
    for (let i = 0; i < 2; i++) written.push((await c.addClient(x1, 30_000)).id)
    await allInPostgres()
    await setPrice(db.pool, "x", { code: "S001", name: "Консультация", price: 170_000 })
    await eventually("the price after the failover on desk x1", async () => (await priceOn(x1, "S001")) === 170_000, 60_000, { describe: logs })

    // exactly once: every client a row, never written again (row_version 1)
    const r = await rows("x")
    expect([...r.keys()].sort()).toEqual([...written].sort())
    expect([...r.values()].filter(v => v !== 1)).toEqual([])
  }, 300_000)
})
