import type * as http from "node:http"
import * as path from "node:path"
import { TestDatabase } from "@vetsync/db/testing"
import type { RootDoc } from "@vetsync/shared"
import { metricsAllowed } from "@vetsync/shared/net"
import { eventually, freePort } from "@vetsync/test-kit"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { RelayServer } from "../src/RelayServer.js"
import { PgAuthenticator } from "../src/registry/PgAuthenticator.js"
import { clinicAdd, deskAdd, enrol } from "../src/registry/commands.js"
import { refusalKind } from "../src/refusalKind.js"
import { credentialDesk } from "./registrySupport.js"
import { createDoc, relayHas, type TestDesk } from "./support.js"

const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)

const get = async (url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> => {
  const res = await fetch(url, { headers })
  return { status: res.status, body: await res.text() }
}

/** The value of one sample of the Prometheus text (`name{labels} value`), or undefined. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find(l => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const fakeRequest = (remoteAddress: string, authorization?: string): http.IncomingMessage =>
  ({ socket: { remoteAddress }, headers: authorization ? { authorization } : {} }) as unknown as http.IncomingMessage

describe("the relay for its operator: /health, /ready and /metrics", () => {
  let db: TestDatabase
  let relay: RelayServer
  const desks: TestDesk[] = []

  beforeAll(async () => {
    // a fixed port, so the cluster comes back where the relay's pool looks for it
    db = new TestDatabase({ prefix: "operations", port: await freePort() })
    await db.start()
    await clinicAdd(db.pool, "A", "Clinic A")
    relay = await RelayServer.start({
      dataDir: path.join(db.dir, "relay"),
      authenticator: await PgAuthenticator.start({ databaseUrl: db.url, seenEveryMs: 0 }),
      metricsToken: "scrape-me",
    })
  }, 120_000)

  afterAll(async () => {
    for (const d of desks) await d.close()
    await relay?.close()
    await db?.stop()
  }, 60_000)

  it("is ready once its registry answers and every clinic's snapshot was looked at; /metrics counts an enrolled desk's sync", async () => {
    expect((await get(`${relay.url}/health`)).status).toBe(200)
    await eventually("the relay to report ready", async () => (await get(`${relay.url}/ready`)).status === 200, 30_000)
    const ready = JSON.parse((await get(`${relay.url}/ready`)).body) as {
      ok: boolean
      snapshots: Record<string, string>
    }
    expect(ready.ok).toBe(true)
    expect(Object.keys(ready.snapshots)).toEqual(["A"])

    const { enrolmentToken } = await deskAdd(db.pool, { clinicId: "A", deskId: "ops-front" })
    const credential = (await enrol(db.pool, enrolmentToken))!.credential
    const desk = credentialDesk(relay, credential, "desk:ops-front", path.join(db.dir, "desk"))
    desks.push(desk)
    const root = createDoc<RootDoc>(desk.repo, "A", "root")
    await eventually("the relay to store the desk's root", () => relayHas(desk.repo, root, relay), 30_000)
    // a socket that breaks the protocol: refused, and counted by reason
    const rogue = new WebSocket(relay.syncUrl, { headers: { authorization: `Bearer ${credential}` } })
    await new Promise<void>((resolve, reject) => {
      rogue.once("open", () => rogue.send("not a binary frame"))
      rogue.once("close", () => resolve())
      rogue.once("error", reject)
    })

    let text = ""
    await eventually(
      "a scrape that shows the desk online, its frames, a durable acknowledgement and the refusal",
      async () => {
        text = (await get(`${relay.url}/metrics`)).body
        return (
          sample(text, 'vetsync_relay_desks_online{clinic="A"}') === 1 &&
          (sample(text, "vetsync_relay_durable_acks_total") ?? 0) >= 1 &&
          sample(text, 'vetsync_relay_refusals_total{reason="text frames are not accepted"}') === 1
        )
      },
      30_000,
    )
    expect(sample(text, 'vetsync_relay_connections{role="desk"}')).toBe(1)
    expect(sample(text, 'vetsync_relay_messages_total{direction="in"}')).toBeGreaterThan(0)
    expect(sample(text, 'vetsync_relay_bytes_total{direction="out"}')).toBeGreaterThan(0)
    expect(sample(text, 'vetsync_relay_documents{state="loaded"}')).toBeGreaterThan(0)
    expect(text).toContain("vetsync_relay_process_resident_memory_bytes")
    // with the token it answers whoever asks (the loopback case is the request above)
    expect((await get(`${relay.url}/metrics`, { authorization: "Bearer scrape-me" })).status).toBe(200)
  })

  it("is not ready while PostgreSQL is down, says why, and stays alive; ready again when it is back", async () => {
    await db.cluster.stop()
    await eventually(
      "the relay to report not ready",
      async () => (await get(`${relay.url}/ready`)).status === 503,
      30_000,
    )
    const body = JSON.parse((await get(`${relay.url}/ready`)).body) as { ok: boolean; reasons: string[] }
    expect(body.ok).toBe(false)
    expect(body.reasons.join("\n")).toMatch(/^registry: PostgreSQL: /m)
    expect((await get(`${relay.url}/health`)).status).toBe(200)
    await db.cluster.start()
    await eventually(
      "the relay to report ready again",
      async () => (await get(`${relay.url}/ready`)).status === 200,
      60_000,
    )
  })
})

describe("who may scrape, and what a refusal is counted as", () => {
  it(`lets loopback and the token through, and nobody else (seed ${SEED})`, () => {
    const token = fc.string({ minLength: 1, maxLength: 40 }).filter(t => !/[\r\n]/.test(t))
    const remote = fc
      .tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
      .filter(([a]) => a !== 127)
      .map(parts => parts.join("."))
    fc.assert(
      fc.property(token, remote, fc.constantFrom("127.0.0.1", "::1", "::ffff:127.0.0.1"), (t, ip, loop) => {
        expect(metricsAllowed(fakeRequest(ip, `Bearer ${t}`), t)).toBe(true)
        expect(metricsAllowed(fakeRequest(loop), t)).toBe(true)
        expect(metricsAllowed(fakeRequest(loop), undefined)).toBe(true)
        expect(metricsAllowed(fakeRequest(ip), t)).toBe(false)
        expect(metricsAllowed(fakeRequest(ip, `Bearer ${t}x`), t)).toBe(false)
        expect(metricsAllowed(fakeRequest(ip, `Bearer ${t}`), undefined)).toBe(false)
        expect(metricsAllowed(fakeRequest(ip, "Bearer "), "")).toBe(false)
      }),
      { seed: SEED },
    )
  })

  it(`counts refusals under a few labels that never carry a peer id or a value (seed ${SEED})`, () => {
    const peer = fc.stringMatching(/^desk:[a-z0-9-]{1,20}:[a-f0-9]{8}$/)
    const reasons = fc.oneof(
      peer.map(p => `peer id ${p} does not belong to desk a1 of A`),
      peer.map(p => `peer id ${p} is already connected`),
      fc.string().map(t => `unknown message type ${JSON.stringify(t).slice(0, 40)}`),
      fc.nat().map(n => `invalid sync message: entry ${n}: chunk 0: bad checksum (change)`),
      fc.string().map(m => `internal error: ${m}`),
      fc.constantFrom("text frames are not accepted", "join first", "too many document messages"),
    )
    const labels = new Set<string>()
    fc.assert(
      fc.property(peer, reasons, (p, reason) => {
        const kind = refusalKind(reason)
        labels.add(kind)
        expect(kind).not.toContain(p)
        expect(kind.length).toBeLessThanOrEqual(48)
      }),
      { seed: SEED },
    )
    expect(labels.size).toBeLessThanOrEqual(9)
    expect(refusalKind("invalid sync message: entry 3: chunk 0: bad checksum (change)")).toBe("invalid sync message")
  })
})
