import * as fs from "node:fs"
import { enrolDesk, loadDeskCredential } from "@vetsync/shared"
import { LAN_KEY_FILE, generateDeskKeys, loadOrCreateDeskLanKey, verifyDeskCertificate } from "@vetsync/shared/lan"
import { useTestDatabase } from "@vetsync/db/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { X509Certificate } from "node:crypto"
import { RelayServer } from "../src/RelayServer.js"
import { PgAuthenticator } from "../src/registry/PgAuthenticator.js"
import { clinicAdd, deskAdd, deskRevoke } from "../src/registry/commands.js"
import { postEnrol, request } from "./registrySupport.js"
import { makeTemp, rmTemp } from "./support.js"

const reg = useTestDatabase({ prefix: "lanenrol" })

describe("LAN certificates at enrolment (issue 15)", () => {
  let dir: string
  let relay: RelayServer
  let n = 0
  const id = (name: string): string => `${name}-${n}`

  beforeEach(async () => {
    n++
    dir = makeTemp("lan-enrol")
    await clinicAdd(reg.pool, "A", "Clinic A")
    await clinicAdd(reg.pool, "B", "Clinic B")
    const authenticator = await PgAuthenticator.start({ databaseUrl: reg.url, seenEveryMs: 0 })
    relay = await RelayServer.start({ dataDir: `${dir}/relay`, authenticator, clinics: ["A", "B"], log: () => undefined })
  })
  afterEach(async () => {
    await relay.close()
    rmTemp(dir)
  })

  it("signs the desk's own key with its clinic's CA; the private key stays in the desk's data directory", async () => {
    const a1 = await deskAdd(reg.pool, { clinicId: "A", deskId: id("a1") })
    const a2 = await deskAdd(reg.pool, { clinicId: "A", deskId: id("a2") })
    const b1 = await deskAdd(reg.pool, { clinicId: "B", deskId: id("b1") })
    const c1 = await enrolDesk(relay.syncUrl, a1.enrolmentToken, `${dir}/a1`)
    const c2 = await enrolDesk(relay.syncUrl, a2.enrolmentToken, `${dir}/a2`)
    const cb = await enrolDesk(relay.syncUrl, b1.enrolmentToken, `${dir}/b1`)
    expect(c1.lan && c2.lan && cb.lan).toBeTruthy()
    expect(loadDeskCredential(`${dir}/a1`)?.lan).toEqual(c1.lan)
    expect(fs.statSync(`${dir}/a1/${LAN_KEY_FILE}`).mode & 0o777).toBe(0o600)
    // one CA per clinic: both desks of A carry the same, B's is another
    expect(c2.lan?.ca).toBe(c1.lan?.ca)
    expect(cb.lan?.ca).not.toBe(c1.lan?.ca)
    expect(await verifyDeskCertificate(c1.lan!.cert, c2.lan!.ca, "A")).toEqual({ ok: true, clinicId: "A", deskId: id("a1") })
    expect((await verifyDeskCertificate(cb.lan!.cert, c1.lan!.ca, "A")).ok).toBe(false)
    // the certificate is over the key kept on disk; the relay never saw the private key
    const key = loadOrCreateDeskLanKey(`${dir}/a1`)
    expect(new X509Certificate(c1.lan!.cert).publicKey.export({ type: "spki", format: "pem" })).toBe(key.publicKeyPem)
    const dump = JSON.stringify((await reg.pool.query("SELECT * FROM desk_credentials")).rows)
    expect(dump).not.toContain(key.privateKeyPem.split("\n")[1])
    const row = await reg.pool.query<{ lan_cert_pem: string }>("SELECT lan_cert_pem FROM desk_credentials WHERE desk_id = $1", [id("a1")])
    expect(row.rows[0]?.lan_cert_pem).toBe(c1.lan?.cert)
  })

  it("enrols a desk without a key as before, and refuses a key that is not P-256", async () => {
    const old = await deskAdd(reg.pool, { clinicId: "A", deskId: id("old") })
    const res = await postEnrol(relay, old.enrolmentToken)
    expect(res.status).toBe(200)
    const body = JSON.parse(res.body) as { credential: string; lan?: unknown }
    expect(body.lan).toBeUndefined()
    const bad = await deskAdd(reg.pool, { clinicId: "A", deskId: id("bad") })
    const refused = await request(`${relay.url}/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: bad.enrolmentToken, lanPublicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" }),
    })
    expect(refused.status).toBe(400)

    // the desk enrolled before LAN sync gets its certificate on a later connect, with its credential
    const lanCert = (credential: string | undefined, lanPublicKey: string) =>
      request(`${relay.url}/lan-certificate`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
        body: JSON.stringify({ lanPublicKey }),
      })
    const keys = generateDeskKeys()
    const got = await lanCert(body.credential, keys.publicKeyPem)
    expect(got.status).toBe(200)
    const lan = JSON.parse(got.body) as { cert: string; ca: string }
    expect(await verifyDeskCertificate(lan.cert, lan.ca, "A")).toEqual({ ok: true, clinicId: "A", deskId: id("old") })
    expect((await lanCert(undefined, keys.publicKeyPem)).status).toBe(401)
    expect((await lanCert(body.credential, "nope")).status).toBe(400)
    await deskRevoke(reg.pool, id("old"))
    expect((await lanCert(body.credential, keys.publicKeyPem)).status).toBe(401)
  })
})
