import { generateKeyPairSync, X509Certificate, type KeyObject } from "node:crypto"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  LAN_NAME,
  certificatePem,
  createClinicCa,
  generateDeskKeys,
  isDeskPublicKey,
  issueDeskCertificate,
  verifyClinicCa,
  verifyDeskCertificate,
  type ClinicCa,
} from "@vetsync/shared/lan"

const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".split("")
/** Honest clinic and desk ids: what the registry gives (1-64 of A-Z a-z 0-9 _ -). */
const name = fc.array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 64 }).map((cs) => cs.join(""))
const moment = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2040-01-01T00:00:00Z"), noInvalidDate: true })
const RUNS = { numRuns: 12 }

const cas = new Map<string, ClinicCa>()
const caOf = async (clinicId: string, now: Date): Promise<ClinicCa> => {
  const key = `${clinicId}@${now.toISOString()}`
  const known = cas.get(key)
  if (known) return known
  const ca = await createClinicCa(clinicId, now)
  cas.set(key, ca)
  return ca
}

describe("clinic certificates", () => {
  it("the honest generator's names are names", () => {
    fc.assert(fc.property(name, (n) => LAN_NAME.test(n)))
  })

  it("a desk certificate issued by its clinic's CA passes, in force from issue until it expires", async () => {
    await fc.assert(
      fc.asyncProperty(name, name, moment, fc.integer({ min: 0, max: 800 }), async (clinicId, deskId, now, laterDays) => {
        const ca = await caOf(clinicId, now)
        const keys = generateDeskKeys()
        expect(isDeskPublicKey(keys.publicKeyPem)).toBe(true)
        const cert = await issueDeskCertificate(ca, deskId, keys.publicKeyPem, now)
        const later = new Date(now.getTime() + laterDays * 86_400_000)
        expect(await verifyClinicCa(ca.certPem, clinicId, later)).toMatchObject({ ok: true })
        expect(await verifyDeskCertificate(cert, ca.certPem, clinicId, later)).toEqual({ ok: true, clinicId, deskId })
        // an independent verifier (OpenSSL through node:crypto) agrees on issuer and signature
        const nodeCert = new X509Certificate(cert)
        const nodeCa = new X509Certificate(ca.certPem)
        expect(nodeCert.checkIssued(nodeCa)).toBe(true)
        expect(nodeCert.verify(nodeCa.publicKey)).toBe(true)
        expect(nodeCa.ca).toBe(true)
        expect(nodeCert.subject).toBe(`CN=${deskId}\nO=${clinicId}`)
      }),
      RUNS,
    )
  })

  it("refuses a certificate of another clinic's CA, a self-signed one, an expired one, and the wrong clinic id", async () => {
    await fc.assert(
      fc.asyncProperty(name, name, name, moment, async (clinicId, otherClinic, deskId, now) => {
        fc.pre(clinicId !== otherClinic)
        const ca = await caOf(clinicId, now)
        const keys = generateDeskKeys()
        // another clinic's CA signs a certificate that names our clinic's id: its CA is not ours
        const foreignCa = { ...(await caOf(otherClinic, now)), clinicId }
        const foreign = await issueDeskCertificate(foreignCa, deskId, keys.publicKeyPem, now)
        expect((await verifyDeskCertificate(foreign, ca.certPem, clinicId, now)).ok).toBe(false)
        // a CA made up under our clinic's name (same names, another key): the signature is wrong
        const impostorCa = await createClinicCa(clinicId, now)
        const impostor = await issueDeskCertificate(impostorCa, deskId, keys.publicKeyPem, now)
        expect(await verifyDeskCertificate(impostor, ca.certPem, clinicId, now)).toEqual({
          ok: false,
          reason: "the certificate's signature is not the clinic CA's",
        })
        // self-signed: a "CA" of its own presented as the desk's certificate
        expect((await verifyDeskCertificate(impostorCa.certPem, ca.certPem, clinicId, now)).ok).toBe(false)
        // expired, and not yet valid
        const honest = await issueDeskCertificate(ca, deskId, keys.publicKeyPem, now, 30)
        const after = new Date(now.getTime() + 31 * 86_400_000)
        expect(await verifyDeskCertificate(honest, ca.certPem, clinicId, after)).toEqual({
          ok: false,
          reason: "the certificate is expired or not yet valid",
        })
        const before = new Date(now.getTime() - 2 * 86_400_000)
        expect((await verifyDeskCertificate(honest, ca.certPem, clinicId, before)).ok).toBe(false)
        // an honest certificate of our clinic checked as another clinic's
        expect((await verifyDeskCertificate(honest, ca.certPem, otherClinic, now)).ok).toBe(false)
        // a desk of the other clinic, honestly issued there, is refused by ours
        const theirs = await issueDeskCertificate(await caOf(otherClinic, now), deskId, keys.publicKeyPem, now)
        expect((await verifyDeskCertificate(theirs, ca.certPem, clinicId, now)).ok).toBe(false)
      }),
      RUNS,
    )
  })

  it("refuses what is not a P-256 public key or a valid name", async () => {
    const ca = await createClinicCa("clinic-1")
    expect(isDeskPublicKey("not a key")).toBe(false)
    await expect(issueDeskCertificate(ca, "desk-1", "not a key")).rejects.toThrow(/P-256/)
    await expect(issueDeskCertificate(ca, "desk 1, O=clinic-2", generateDeskKeys().publicKeyPem)).rejects.toThrow(/desk id/)
    await expect(createClinicCa("a,b")).rejects.toThrow(/clinic id/)
    expect((await verifyDeskCertificate("garbage", ca.certPem, "clinic-1")).ok).toBe(false)
    // a public key only as SPKI: not a private key's, a certificate's, another curve's, or two keys
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "secp384r1" })
    const desk = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    const pem = (k: KeyObject, type: "spki" | "pkcs8"): string => k.export({ format: "pem", type }).toString()
    expect(isDeskPublicKey(pem(desk.publicKey, "spki"))).toBe(true)
    expect(isDeskPublicKey(pem(publicKey, "spki"))).toBe(false)
    expect(isDeskPublicKey(pem(privateKey, "pkcs8"))).toBe(false)
    expect(isDeskPublicKey(pem(desk.privateKey, "pkcs8"))).toBe(false)
    expect(isDeskPublicKey(ca.certPem)).toBe(false)
    expect(isDeskPublicKey(pem(desk.publicKey, "spki") + pem(desk.publicKey, "spki"))).toBe(false)
  })

  it("writes a certificate's DER as PEM exactly as @peculiar/x509 does", async () => {
    const ca = await createClinicCa("clinic-1")
    const issued = await issueDeskCertificate(ca, "desk-1", generateDeskKeys().publicKeyPem)
    for (const made of [ca.certPem, issued]) expect(certificatePem(new X509Certificate(made).raw)).toBe(made)
  })
})
