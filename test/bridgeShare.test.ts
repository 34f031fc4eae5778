import { join } from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { makeClient, put } from "@vetsync/bridge/test-helpers/records.js"
import { useTestDatabase } from "@vetsync/db/testing"
import { RelayServer } from "@vetsync/sync-server"
import { eventually, freePort, productEnv, REPO_ROOT, SupervisedProcess, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import { afterAll, describe, expect, it } from "vitest"

const CLINICS = ["share-a", "share-b", "share-c", "share-d", "share-e"]

const db = useTestDatabase({ prefix: "bridgeshare" })
const bridges: { id: string; port: number; proc: SupervisedProcess }[] = []
const desks: Repo[] = []
let relay: RelayServer | undefined

afterAll(async () => {
  await Promise.all(desks.map(d => d.shutdown().catch(() => undefined)))
  await Promise.all(bridges.map(b => b.proc.stop().catch(() => b.proc.kill9())))
  await relay?.close()
})

/** A `vetsync bridge` process on the test's PostgreSQL and relay; resolves once it answers /health. */
const startBridge = async (id: string, relayUrl: string): Promise<(typeof bridges)[number]> => {
  const port = await freePort()
  const proc = new SupervisedProcess({
    name: id,
    command: process.execPath,
    args: [CLI, "bridge"],
    cwd: REPO_ROOT,
    logFile: join(db.dir, `${id}.log`),
    env: productEnv({
      DATABASE_URL: db.url,
      VETSYNC_DATA_DIR: join(db.dir, id),
      VETSYNC_RELAY_URL: relayUrl,
      VETSYNC_BRIDGE_ID: id,
      VETSYNC_BRIDGE_NAME: id,
      VETSYNC_BRIDGE_PORT: String(port),
      VETSYNC_BRIDGE_WORKERS: "3",
      VETSYNC_LOG_FORMAT: "json",
    }),
  })
  const bridge = { id, port, proc }
  bridges.push(bridge)
  proc.start()
  await eventually(
    `${id} to answer /health`,
    async () => proc.running && (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    90_000,
    { pollMs: 200, describe: () => proc.log().slice(-2000) },
  )
  return bridge
}

/** The end of each bridge's log, for a failure's message. */
const logs = (): string => bridges.map(b => `${b.id}:\n${b.proc.log().slice(-3000)}`).join("\n")

/** clinic -> the bridge holding its (unexpired) bridge lease, as PostgreSQL has it. */
const holders = async (): Promise<Map<string, string>> => {
  const { rows } = await db.pool.query<{ clinic_id: string; holder: string }>(
    "SELECT clinic_id, holder FROM clinic_leases WHERE role = 'bridge' AND expires_at >= now()",
  )
  return new Map(rows.map(r => [r.clinic_id, r.holder]))
}

/** The clinics a bridge says it holds (its /health). */
const healthClinics = async (port: number): Promise<string[]> => {
  const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { clinics: string[] }
  return [...body.clinics].sort()
}

describe("several bridges on one PostgreSQL", () => {
  it("share the clinics out; one killed with -9, the other takes its clinics, and every record reaches PostgreSQL once", async () => {
    for (const c of CLINICS) await db.pool.query("INSERT INTO clinics (id) VALUES ($1)", [c])
    relay = await RelayServer.start({ port: 0, dataDir: join(db.dir, "relay"), clinics: CLINICS })
    const url = relay.syncUrl
    const one = await startBridge("bridge-1", url)
    const two = await startBridge("bridge-2", url)

    // the share settles: every clinic held by one of them, both holding some (2 and 3)
    await eventually(
      "the clinics shared out between both bridges",
      async () => {
        const h = await holders()
        const counts = [one.id, two.id].map(b => [...h.values()].filter(x => x === b).length).sort()
        return CLINICS.every(c => h.has(c)) && counts.join() === "2,3"
      },
      60_000,
      { describe: logs },
    )
    const before = await holders()
    // each says so (/health), once it has started working on them
    for (const b of [one, two])
      await eventually(
        `${b.id}'s /health to list the clinics it holds`,
        async () => (await healthClinics(b.port)).join() === CLINICS.filter(c => before.get(c) === b.id).join(),
        60_000,
      )
    expect(await holders()).toEqual(before)

    // a desk of each clinic writes clients: each bridge projects its own clinics
    const written = new Map<string, string[]>(CLINICS.map(c => [c, []]))
    for (const clinic of CLINICS)
      desks.push(
        new Repo({
          network: [new WebSocketClientAdapter(`${url}?clinic=${clinic}&desk=${clinic}-d1`)],
          peerId: `desk:${clinic}-d1:share` as PeerId,
          sharePolicy: () => Promise.resolve(true),
        }),
      )
    const write = async (n: number) => {
      for (const [i, clinic] of CLINICS.entries()) {
        const desk = desks[i]
        if (!desk) throw new Error("no desk")
        for (let k = 0; k < n; k++) {
          const client = makeClient(`${clinic}-d1`)
          await put(desk, clinic, "clients", client)
          written.get(clinic)?.push(client.id)
        }
      }
    }
    const allInPostgres = () =>
      eventually(
        "every client written in PostgreSQL",
        async () => {
          const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM clients")
          return rows[0]?.n === [...written.values()].flat().length
        },
        60_000,
        { describe: logs },
      )
    await write(3)
    await allInPostgres()

    // kill -9 the bridge holding more clinics; edits go on meanwhile
    const killed = [one, two].find(b => [...before.values()].filter(h => h === b.id).length === 3) ?? one
    const survivor = killed === one ? two : one
    const theirs = CLINICS.filter(c => before.get(c) === killed.id)
    await killed.proc.kill9()
    const killedAt = performance.now()
    await write(2)
    await eventually(
      `${survivor.id} to take ${killed.id}'s clinics`,
      async () => {
        const h = await holders()
        return CLINICS.every(c => h.get(c) === survivor.id)
      },
      20_000,
      { describe: logs },
    )
    const takeoverMs = Math.round(performance.now() - killedAt)
    console.log(`bridge takeover: ${takeoverMs} ms from kill -9 of ${killed.id} (${theirs.join(", ")}) to ${survivor.id} holding every clinic`)
    await write(2)
    await allInPostgres()
    await eventually(`${survivor.id}'s /health to list every clinic`, async () => (await healthClinics(survivor.port)).join() === CLINICS.join(), 30_000)

    // exactly once: every client a row of its clinic, written once (row_version 1: never written again)
    for (const [clinic, ids] of written) {
      const { rows } = await db.pool.query<{ id: string; row_version: number }>(
        "SELECT id::text, row_version FROM clients WHERE clinic_id = $1",
        [clinic],
      )
      expect(rows.map(r => r.id).sort(), clinic).toEqual([...ids].sort())
      expect(rows.filter(r => r.row_version !== 1), clinic).toEqual([])
    }
    const metrics = await (await fetch(`http://127.0.0.1:${survivor.port}/metrics`)).text()
    for (const c of CLINICS) expect(metrics).toContain(`vetsync_bridge_clinic_held{clinic="${c}"} 1`)
  }, 300_000)
})
