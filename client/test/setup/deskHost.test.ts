import { existsSync, readdirSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { CREDENTIAL_FILE, enrolDesk, loadDeskCredential } from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ApiResponse } from "../../src/core/api.js"
import { dataDirClinic, MOVED_ASIDE_DIR, OTHER_CLINIC_CREDENTIAL_FILE } from "../../src/setup/dataDir.js"
import { DeskHost } from "../../src/setup/DeskHost.js"
import type { DeskHostOptions } from "../../src/setup/hostOptions.js"
import type { SetupStatus } from "../../src/setup/setupApi.js"
import { tmpDir } from "../core/fixtures.js"
import { RegistryRelay } from "./RegistryRelay.js"

const A = "clinic-a"
const B = "clinic-b"
/** well-formed, but the registry never issued it */
const UNKNOWN_TOKEN = `vse1.nobody.${"A".repeat(43)}`

/**
 * Issue #10 point 1 without a browser: the desk process (DeskHost) on a real relay with a real
 * registry (embedded PostgreSQL) — waiting for enrolment, every way an enrolment fails, enrolling,
 * revocation while online, enrolling again with records waiting, another clinic's token, and a
 * development identity facing a registry.
 */
describe("the desk process enrols, notices revocation, and never mixes clinics", () => {
  let reg: RegistryRelay
  let dir: string
  const hosts: DeskHost[] = []
  const closeLater: { close(): unknown }[] = []
  const logs: string[] = []

  beforeAll(async () => {
    reg = await RegistryRelay.create()
    await reg.addClinic(A)
    await reg.addClinic(B)
    await reg.startRelay()
    dir = tmpDir("desk-host")
  })
  afterAll(async () => {
    for (const h of hosts) await h.close()
    for (const c of closeLater) await c.close()
    await reg?.close()
  })

  const host = async (name: string, options: Omit<DeskHostOptions, "dataDir"> = {}): Promise<DeskHost> => {
    const h = new DeskHost({ dataDir: path.join(dir, name), log: l => logs.push(`[${name}] ${l}`), ...options })
    hosts.push(h)
    await h.start()
    return h
  }
  const setup = async (h: DeskHost, command: string, args?: unknown): Promise<SetupStatus> => {
    const r = await h.dispatch(command, args)
    if (!r.ok) throw new Error(`${command}: ${r.error.code} ${r.error.message}`)
    return r.value as SetupStatus
  }
  const call = (h: DeskHost, command: string, args?: unknown): Promise<ApiResponse<unknown>> => h.dispatch(command, args)
  const online = (h: DeskHost, what: string): Promise<unknown> =>
    eventually(`${what} online with nothing waiting`, () => {
      const s = h.core?.status()
      return s?.online && s.waitingRecords === 0 && s.bootstrap.phase === "done"
    }, 60_000, { describe: () => JSON.stringify(h.core?.status() ?? h.status()) })

  it("waits for enrolment without a credential (no relay, or a relay with a registry); the desk API is unavailable meanwhile", async () => {
    const alone = await host("alone")
    expect(alone.status()).toMatchObject({ phase: "needs-enrolment", relay: null, deskId: null, failure: null })
    expect(await call(alone, "clients.search", { query: "x" })).toMatchObject({ ok: false, error: { code: "unavailable" } })
    expect(await call(alone, "status")).toMatchObject({ ok: false, error: { code: "unavailable" } })
    expect(await call(alone, "setup.nope")).toMatchObject({ ok: false, error: { code: "bad_request" } })
    // nothing of a clinic was created in its data directory
    expect(existsSync(path.join(dir, "alone", "readmodel.sqlite"))).toBe(false)
    const facing = await host("facing", { server: reg.syncUrl })
    expect(facing.status()).toMatchObject({ phase: "needs-enrolment", relay: reg.syncUrl })
  })

  it("says what is wrong before sending anything, and explains each answer of the relay", async () => {
    const h = await host("tries")
    const tryWith = async (relay: string, token: string) => (await setup(h, "setup.enrol", { relay, token })).failure
    expect(await tryWith("", UNKNOWN_TOKEN)).toEqual({ code: "invalid-address", field: "relay", detail: "empty" })
    expect(await tryWith("ftp://relay.example", UNKNOWN_TOKEN)).toMatchObject({ code: "invalid-address", detail: "scheme" })
    expect(await tryWith("https://relay.example/vetsync/", UNKNOWN_TOKEN)).toMatchObject({ code: "invalid-address", detail: "path" })
    expect(await tryWith(reg.httpUrl, "")).toEqual({ code: "invalid-token", field: "token", detail: "empty" })
    expect(await tryWith(reg.httpUrl, "vsd1.front-1.xyz")).toMatchObject({ code: "invalid-token", detail: "desk-credential" })
    expect(await tryWith(reg.httpUrl, "hello")).toMatchObject({ code: "invalid-token", detail: "shape" })
    expect(await tryWith(reg.httpUrl, UNKNOWN_TOKEN)).toMatchObject({ code: "token-refused", field: "token", detail: expect.stringContaining("403") })
    // nothing listens there
    const closed = createServer()
    await new Promise<void>(ok => closed.listen(0, "127.0.0.1", ok))
    const closedPort = (closed.address() as AddressInfo).port
    await new Promise(ok => closed.close(ok))
    expect(await tryWith(`http://127.0.0.1:${closedPort}`, UNKNOWN_TOKEN)).toMatchObject({ code: "unreachable", field: "relay", detail: expect.stringContaining("ECONNREFUSED") })
    // a web server that is not a relay
    const web: Server = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not here</h1>"))
    await new Promise<void>(ok => web.listen(0, "127.0.0.1", ok))
    closeLater.push({ close: () => new Promise(ok => web.close(ok)) })
    expect(await tryWith(`127.0.0.1:${(web.address() as AddressInfo).port}`, UNKNOWN_TOKEN)).toMatchObject({ code: "not-a-relay", field: "relay" })
    // a development relay enrols nobody
    const dev = await RelayServer.start({ dataDir: path.join(dir, "dev-relay-1"), port: 0 })
    closeLater.push(dev)
    expect(await tryWith(dev.url, UNKNOWN_TOKEN)).toMatchObject({ code: "no-registry", field: "relay" })
    expect(h.status().phase).toBe("needs-enrolment")
    expect(existsSync(path.join(dir, "tries", CREDENTIAL_FILE))).toBe(false)
  })

  it("enrols with the right token: keeps the credential with the relay's address and the registry's desk code, opens the desk as it, and never shows the credential", async () => {
    const token = await reg.addDesk(A, "front-1", "FRONT")
    const h = await host("a1", { server: "ws://127.0.0.1:1/sync" })
    // staff typed the address by hand: the one on the screen, not --server, is where it enrols
    const s = await setup(h, "setup.enrol", { relay: `  ${reg.httpUrl}/ `, token: `${token.slice(0, 40)}\n${token.slice(40)}` })
    expect(s).toMatchObject({ phase: "ready", deskId: "front-1", clinicId: A, failure: null, relay: reg.syncUrl })
    const cred = loadDeskCredential(path.join(dir, "a1"))
    expect(cred).toMatchObject({ deskId: "front-1", clinicId: A, deskCode: "FRONT", server: reg.syncUrl })
    // the registry's code, not a default, is the prefix of this desk's invoice numbers
    expect(h.core?.opts.deskCode).toBe("FRONT")
    expect(JSON.stringify(h.status())).not.toContain(cred?.credential)
    expect(JSON.stringify(await h.initialEvents())).not.toContain(cred?.credential)
    await online(h, "the enrolled desk")
    expect(await call(h, "clients.create", { name: "Первая Анна" })).toMatchObject({ ok: true })
    await online(h, "the desk after its first client")
    // enrolled: the setup does not enrol again, and the token is used up
    expect(await call(h, "setup.enrol", { relay: reg.httpUrl, token })).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect((await setup(await host("thief"), "setup.enrol", { relay: reg.httpUrl, token })).failure?.code).toBe("token-refused")
  })

  it("notices a revocation while online, and enrolling again for the same clinic keeps the records that had not reached the relay", async () => {
    const h = hosts.find(x => x.status().deskId === "front-1")
    if (!h?.core) throw new Error("the enrolled desk is missing")
    await reg.revoke("front-1")
    await eventually("the revoked screen", () => h.status().phase === "revoked", 30_000, { describe: () => JSON.stringify(h.core?.status().problem) })
    expect(h.status()).toMatchObject({ deskId: "front-1", clinicId: A, relay: reg.syncUrl })
    expect(await call(h, "clients.search", { query: "Анна" })).toMatchObject({ ok: false, error: { code: "unavailable" } })
    // records written just before the relay cut the desk off (through the core: the desk API is closed now)
    await h.core?.call("clients.create", { name: "Неотправленный Пётр", phone: "+7 900 000-00-01" })
    await eventually("a waiting record", () => h.status().waitingRecords >= 1, 10_000)
    const again = await setup(h, "setup.enrol", { relay: reg.syncUrl, token: await reg.addDesk(A, "front-2") })
    expect(again).toMatchObject({ phase: "ready", deskId: "front-2", clinicId: A })
    await online(h, "the desk enrolled again")
    // another desk of the clinic downloads it from the relay
    const other = await host("a-other")
    await setup(other, "setup.enrol", { relay: reg.httpUrl, token: await reg.addDesk(A, "front-3") })
    await online(other, "a second desk")
    const hits = await eventually("the record on the second desk", async () => {
      const r = await call(other, "clients.search", { query: "Неотправленный" })
      return r.ok && (r.value as { hits: unknown[] }).hits.length > 0 && r.value
    }, 30_000)
    expect(hits).toMatchObject({ hits: [{ name: "Неотправленный Пётр" }], total: 1 })
  })

  it("refuses to mix clinics: another clinic's token offers to move the old data aside, and only does so when told", async () => {
    const h = hosts.find(x => x.status().deskId === "front-2")
    if (!h?.core) throw new Error("the re-enrolled desk is missing")
    const dataDir = path.join(dir, "a1")
    await reg.revoke("front-2")
    await eventually("the revoked screen", () => h.status().phase === "revoked", 30_000)
    await h.core.call("clients.create", { name: "Ждущая Вера" })
    await eventually("a waiting record", () => h.status().waitingRecords >= 1, 10_000)
    const other = await setup(h, "setup.enrol", { relay: reg.httpUrl, token: await reg.addDesk(B, "b-front-1") })
    expect(other).toMatchObject({
      phase: "other-clinic",
      mismatch: { dataClinicId: A, newClinicId: B, newDeskId: "b-front-1", moveTo: expect.stringContaining(path.join(dataDir, MOVED_ASIDE_DIR, `${A}-`)) },
    })
    expect(other.mismatch?.waitingRecords).toBeGreaterThanOrEqual(1)
    expect(await call(h, "setup.moveAside", { dataClinicId: B })).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect(await call(h, "setup.moveAside", { dataClinicId: A, extra: 1 })).toMatchObject({ ok: false, error: { code: "validation" } })
    // keep the data: the other clinic's credential is thrown away, the (revoked) desk is as it was
    await setup(h, "setup.keepData")
    expect(existsSync(path.join(dataDir, OTHER_CLINIC_CREDENTIAL_FILE))).toBe(false)
    await eventually("the revoked screen again", () => h.status().phase === "revoked", 30_000, { describe: () => `${JSON.stringify(h.status())} ${JSON.stringify(h.core?.status())} ${logs.slice(-5).join(" / ")}` })
    expect(dataDirClinic(dataDir)?.clinicId).toBe(A)
    // again, and the desk restarts before staff decide: the choice is still there
    await setup(h, "setup.enrol", { relay: reg.httpUrl, token: await reg.addDesk(B, "b-front-2") })
    await h.close()
    const restarted = await host("a1")
    expect(restarted.status()).toMatchObject({ phase: "other-clinic", mismatch: { dataClinicId: A, newClinicId: B } })
    const moved = await setup(restarted, "setup.moveAside", { dataClinicId: A })
    expect(moved).toMatchObject({ phase: "ready", clinicId: B, deskId: "b-front-2", mismatch: null })
    const aside = path.join(dataDir, MOVED_ASIDE_DIR)
    const [kept] = readdirSync(aside)
    expect(readdirSync(path.join(aside, kept ?? ""))).toEqual(expect.arrayContaining(["readmodel.sqlite", "docs", CREDENTIAL_FILE]))
    expect(dataDirClinic(path.join(aside, kept ?? ""))).toMatchObject({ clinicId: A })
    expect(dataDirClinic(path.join(aside, kept ?? ""))?.waitingRecords).toBeGreaterThanOrEqual(1)
    expect(dataDirClinic(dataDir)?.clinicId).toBe(B)
    await online(restarted, "the desk of the other clinic")
  })

  it("`vetsync desk --enrol` into another clinic's data directory ends on the same choice", async () => {
    const dataDir = path.join(dir, "a-other")
    const h = hosts.find(x => x.status().deskId === "front-3")
    await h?.close()
    await enrolDesk(reg.syncUrl, await reg.addDesk(B, "b-front-3"), dataDir)
    const restarted = await host("a-other")
    expect(restarted.status()).toMatchObject({ phase: "other-clinic", mismatch: { dataClinicId: A, newClinicId: B, newDeskId: "b-front-3" } })
    expect(loadDeskCredential(dataDir)).toBeUndefined()
  })

  it("a desk with a development identity opens against a development relay, and turns to the first-run screen facing a registry", async () => {
    const dev = await RelayServer.start({ dataDir: path.join(dir, "dev-relay-2"), port: 0 })
    closeLater.push(dev)
    const plain = await host("dev-plain", { server: dev.syncUrl })
    expect(plain.status()).toMatchObject({ phase: "ready", deskId: "desk-1", clinicId: "demo" })
    await online(plain, "a desk on a development relay")
    const h = await host("dev-id", { server: reg.syncUrl, identity: { clinicId: A, deskId: "dev-a", deskCode: "X" } })
    expect(h.status().phase).toBe("ready")
    await eventually("the first-run screen", () => h.status().phase === "needs-enrolment", 30_000, { describe: () => JSON.stringify(h.core?.status().problem) })
    expect(h.status()).toMatchObject({ relay: reg.syncUrl })
    expect(await setup(h, "setup.enrol", { relay: reg.httpUrl, token: await reg.addDesk(A, "front-4") })).toMatchObject({ phase: "ready", clinicId: A, deskId: "front-4" })
    // the development code X gave way to the one the registry chose (the first free D<n>)
    expect(h.core?.opts.deskCode).toMatch(/^D\d+$/)
    expect(h.core?.opts.deskCode).toBe(loadDeskCredential(path.join(dir, "dev-id"))?.deskCode)
    await online(h, "the enrolled development desk")
  })
})
