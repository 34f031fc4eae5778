import { Repo } from "@automerge/automerge-repo"
import { PostgresStorageAdapter } from "@vetsync/db"
import { useTestDatabase } from "@vetsync/db/testing"
import { readRecord, type AnyClinicDoc } from "@vetsync/shared"
import { fetchFollowingRelay } from "@vetsync/shared/net"
import { clinicAdd } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"
import { FailoverCluster } from "./helpers/FailoverCluster.js"

const db = useTestDatabase({ prefix: "failover" })
let cluster: FailoverCluster | undefined

afterAll(async () => {
  await cluster?.close()
})

describe("two relay processes on one PostgreSQL, one killed with -9", () => {
  it("the desks carry on through the other relay, and every acknowledged edit is in PostgreSQL", async () => {
    await clinicAdd(db.pool, "x")
    await clinicAdd(db.pool, "y")
    const c = (cluster = await FailoverCluster.start({ dir: db.dir, databaseUrl: db.url, pool: db.pool }))
    // the shared address hands each connection to the next relay in turn: x2 reaches the relay
    // that does not hold X and is sent on to the one that does
    const x1 = await c.startDesk("x", "x1")
    const x2 = await c.startDesk("x", "x2")
    const y1 = await c.startDesk("y", "y1")
    const xHolder = await c.holderOf("x")
    const killed = c.relays.find(r => r.id === xHolder)
    const survivor = c.relays.find(r => r.id !== xHolder)
    expect(killed && survivor).toBeTruthy()
    if (!killed || !survivor) return
    expect(x2.adapter.target).toContain(`:${killed.port}/`)

    // the clinic's HTTP requests too: the relay not holding X answers a desk of X 307 to the holder
    // (its copy of X's documents is not the live one), and the desk's fetch follows with its credential
    const auth = { authorization: `Bearer ${x1.credential}` }
    const heads = `http://127.0.0.1:${survivor.port}/clinics/x/heads`
    const direct = await fetch(heads, { headers: auth, redirect: "manual" })
    expect(direct.status).toBe(307)
    expect(direct.headers.get("location")).toBe(`http://127.0.0.1:${killed.port}/clinics/x/heads`)
    const followed = await fetchFollowingRelay(heads, { headers: auth })
    expect(followed.status).toBe(200)
    expect(await followed.json()).toBeTypeOf("object")
    // a clinic the survivor holds is answered there: Y's desk is not sent on
    const yHolder = await c.holderOf("y")
    const yAt = c.relays.find(r => r.id === yHolder)?.port
    const own = await fetch(`http://127.0.0.1:${yAt}/clinics/y/heads`, { headers: { authorization: `Bearer ${y1.credential}` }, redirect: "manual" })
    expect(own.status).toBe(200)

    const acked: Awaited<ReturnType<typeof c.addClient>>[] = []
    for (const desk of [x1, y1, x1, y1]) acked.push(await c.addClient(desk, 30_000))

    await killed.proc.kill9()
    const killedAt = performance.now()
    const afterKill = await c.addClient(x1, 30_000)
    const failoverMs = Math.round(performance.now() - killedAt)
    console.log(`failover: ${failoverMs} ms from kill -9 of ${killed.id} to desk x1's next acknowledged edit`)
    acked.push(afterKill)
    acked.push(await c.addClient(y1, 30_000), await c.addClient(x1, 30_000))
    expect(await c.holderOf("x")).toBe(survivor.id)

    // x2 carries on too: x1's edit after the kill reaches it through the survivor
    const onX2 = await x2.repo.find<AnyClinicDoc>(afterKill.docId)
    await eventually("x1's edit after the kill on x2", () => readRecord(onX2.doc(), "clients", afterKill.id) !== undefined, 30_000)

    // every acknowledged edit is in PostgreSQL (automerge_chunks), read by a fresh repo
    const fresh = new Repo({ storage: new PostgresStorageAdapter(db.pool), network: [] })
    for (const { id, docId } of acked) {
      const handle = await fresh.find<AnyClinicDoc>(docId)
      expect(readRecord(handle.doc(), "clients", id), `client ${id}`).toBeDefined()
    }
    await fresh.shutdown()
  })
})
