import { existsSync } from "node:fs"
import { join } from "node:path"
import { Repo, type PeerId } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { setPrice, startBridgeFromEnv, type BridgeService } from "@vetsync/bridge"
import { makeClient, makeInvoice, makePatient, put } from "@vetsync/bridge/test-helpers/records.js"
import { TestDatabase } from "@vetsync/db/testing"
import { RelayServer } from "@vetsync/sync-server"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CLINIC = "ops-clinic"

const get = async (url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> => {
  const res = await fetch(url, { headers })
  return { status: res.status, body: await res.text() }
}

/** The value of one sample of the Prometheus text (`name{labels} value`), or undefined. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find(l => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

interface Ready {
  ok: boolean
  reasons: string[]
  clinics: Record<string, string>
  relay: string
}

describe("the bridge for its operator: /health, /ready and /metrics", () => {
  let db: TestDatabase
  let relay: RelayServer
  let relayPort = 0
  let service: BridgeService
  let desk: Repo
  let url = ""
  const ready = async (): Promise<{ status: number; body: Ready }> => {
    const r = await get(`${url}/ready`)
    return { status: r.status, body: JSON.parse(r.body) as Ready }
  }
  const startRelay = () => RelayServer.start({ port: relayPort, dataDir: join(db.dir, "relay"), clinics: [CLINIC] })

  beforeAll(async () => {
    // a fixed port, so the cluster comes back where the bridge's pool looks for it
    db = new TestDatabase({ prefix: "bridge-ops", port: await freePort() })
    await db.start()
    relayPort = await freePort()
    relay = await startRelay()
    // configured as `vetsync bridge` is: from the environment (this object, not the test's)
    service = await startBridgeFromEnv(
      {
        DATABASE_URL: db.url,
        VETSYNC_DATA_DIR: join(db.dir, "bridge"),
        VETSYNC_RELAY_URL: relay.syncUrl,
        VETSYNC_CLINICS: CLINIC,
        VETSYNC_BRIDGE_PORT: "0",
        VETSYNC_METRICS_TOKEN: "scrape-me",
      },
      () => undefined,
    )
    url = service.gate.url
    desk = new Repo({
      network: [new WebSocketClientAdapter(`${relay.syncUrl}?clinic=${CLINIC}&desk=d1`)],
      peerId: "desk:d1:ops" as PeerId,
    })
  }, 120_000)

  afterAll(async () => {
    await desk?.shutdown().catch(() => undefined)
    await service?.stop()
    await relay?.close()
    await db?.stop()
  }, 60_000)

  it("is alive at once, ready once PostgreSQL, the relay and the clinic's documents are; /metrics counts a desk's records, a refusal, the lag and a publication", async () => {
    const health = await get(`${url}/health`)
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, phase: "running", clinics: [CLINIC] })
    await eventually("the bridge to report ready", async () => (await ready()).status === 200, 60_000, {
      describe: async () => JSON.stringify((await ready()).body),
    })
    expect((await ready()).body).toEqual({ ok: true, reasons: [], clinics: { [CLINIC]: "looked at" }, relay: "open" })

    // written on the desk 5 s ago: the lag from then to the row is at least 5 s
    const at = new Date(Date.now() - 5_000).toISOString()
    const c = makeClient("d1", { createdAt: at, updatedAt: at })
    const p = makePatient(c.id, "d1", { createdAt: at, updatedAt: at })
    await put(desk, CLINIC, "clients", c)
    await put(desk, CLINIC, "patients", p)
    // a total that is not the sum of its lines: refused by PostgreSQL, reported to the desks
    await put(desk, CLINIC, "invoices", makeInvoice(c, p, "d1", { total: 1 }))
    await setPrice(db.pool, CLINIC, { code: "VAC", name: "Vaccination", price: 150000 })

    let text = ""
    const clinic = `clinic="${CLINIC}"`
    await eventually(
      "a scrape that shows the client and patient rows, the refused invoice and the published price list",
      async () => {
        text = (await get(`${url}/metrics`)).body
        return (
          sample(text, `vetsync_bridge_records_projected_total{${clinic},collection="clients"}`) === 1 &&
          sample(text, `vetsync_bridge_records_projected_total{${clinic},collection="patients"}`) === 1 &&
          sample(text, `vetsync_bridge_rejected_records{${clinic}}`) === 1 &&
          (sample(text, `vetsync_bridge_publications_total{${clinic},document="pricelist"}`) ?? 0) >= 1
        )
      },
      60_000,
      { describe: () => text },
    )
    expect(sample(text, `vetsync_bridge_records_projected_total{${clinic},collection="invoices"}`)).toBe(0)
    expect(sample(text, `vetsync_bridge_rejections_total{${clinic}}`)).toBeGreaterThanOrEqual(1)
    expect(sample(text, `vetsync_bridge_documents_projected_total{${clinic}}`)).toBeGreaterThanOrEqual(2)
    expect(sample(text, `vetsync_bridge_projection_failures_total{${clinic}}`)).toBe(0)
    // two rows of the desk's records, each observed once, between 5 s and a minute late
    expect(sample(text, `vetsync_bridge_projection_lag_seconds_count{${clinic}}`)).toBe(2)
    expect(sample(text, `vetsync_bridge_projection_lag_seconds_bucket{le="2.5",${clinic}}`)).toBe(0)
    expect(sample(text, `vetsync_bridge_projection_lag_seconds_bucket{le="60",${clinic}}`)).toBe(2)
    expect(sample(text, `vetsync_bridge_projection_lag_seconds_sum{${clinic}}`)).toBeGreaterThanOrEqual(10)
    expect(sample(text, `vetsync_bridge_change_log_pending{${clinic}}`)).toBe(0)
    expect(sample(text, `vetsync_bridge_change_log_oldest_pending_seconds{${clinic}}`)).toBe(0)
    expect(sample(text, "vetsync_bridge_postgres_up")).toBe(1)
    expect(sample(text, "vetsync_bridge_listening")).toBe(1)
    expect(sample(text, "vetsync_bridge_relay_connected")).toBe(1)
    expect(sample(text, "vetsync_bridge_clinics_followed")).toBe(1)
    expect(text).toContain("vetsync_bridge_process_resident_memory_bytes")
    // the relay's rule: loopback (the requests above), or the token
    expect((await get(`${url}/metrics`, { authorization: "Bearer scrape-me" })).status).toBe(200)
    expect((await get(`${url}/elsewhere`)).status).toBe(404)
  })

  it("fails to start at once, naming its variables, when its operations port is taken", async () => {
    const dataDir = join(db.dir, "second-bridge")
    await expect(
      startBridgeFromEnv(
        { DATABASE_URL: db.url, VETSYNC_DATA_DIR: dataDir, VETSYNC_BRIDGE_PORT: String(service.gate.port) },
        () => undefined,
      ),
    ).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.*VETSYNC_BRIDGE_PORT/)
    // nothing was started: no documents, no database connections of its own
    expect(existsSync(dataDir)).toBe(false)
  })

  it("is not ready while PostgreSQL is down, says so, and stays alive; ready again when it is back", async () => {
    await db.cluster.stop()
    await eventually("the bridge to report not ready", async () => (await ready()).status === 503, 30_000)
    const down = (await ready()).body
    expect(down.ok).toBe(false)
    expect(down.reasons.join("\n")).toMatch(/^PostgreSQL: /m)
    expect((await get(`${url}/health`)).status).toBe(200)
    const scrape = await get(`${url}/metrics`)
    expect(scrape.status).toBe(200)
    expect(sample(scrape.body, "vetsync_bridge_postgres_up")).toBe(0)

    await db.cluster.start()
    await eventually("the bridge to report ready again", async () => (await ready()).status === 200, 60_000, {
      describe: async () => JSON.stringify((await ready()).body),
    })
    const text = (await get(`${url}/metrics`)).body
    expect(sample(text, "vetsync_bridge_listen_reconnects_total")).toBeGreaterThanOrEqual(1)
    expect(sample(text, "vetsync_bridge_postgres_up")).toBe(1)
  })

  it("is not ready while the relay is away, and ready again once it is back", async () => {
    await relay.close()
    await eventually("the bridge to report not ready", async () => (await ready()).status === 503, 30_000)
    expect((await ready()).body.reasons.join("\n")).toMatch(/^relay: (closed|connecting), not joined to ws:/m)
    expect((await get(`${url}/health`)).status).toBe(200)
    relay = await startRelay()
    await eventually("the bridge to report ready again", async () => (await ready()).status === 200, 60_000, {
      describe: async () => JSON.stringify((await ready()).body),
    })
  })
})
