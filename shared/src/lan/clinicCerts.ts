import { createPublicKey, webcrypto } from "node:crypto"
import type * as X509 from "@peculiar/x509"

/**
 * The clinic's certificates for LAN sync (issue 15): each clinic has a CA key pair held by the
 * relay's registry; at enrolment the relay signs the desk's own public key (ECDSA P-256) into a
 * desk certificate (subject O=<clinic id>, CN=<desk id>), and desks of one clinic verify each
 * other's certificates offline, with the clinic CA as the only trust anchor.
 */

const crypto = webcrypto as unknown as Crypto

let x509Loaded: Promise<typeof X509> | undefined
/**
 * @peculiar/x509, loaded when a certificate is first made or checked: it (with tsyringe, asn1js and
 * the Reflect metadata polyfill) took about a quarter of a second of every desk's start, and a new
 * desk needs no certificate to become searchable.
 */
const loadX509 = (): Promise<typeof X509> =>
  (x509Loaded ??= (async () => {
    // x509 resolves its classes through tsyringe, which needs the Reflect metadata polyfill loaded first
    await import("reflect-metadata")
    const x509 = await import("@peculiar/x509")
    x509.cryptoProvider.set(crypto)
    return x509
  })())

const EC: EcKeyImportParams & EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" }
const SIGN: EcdsaParams = { name: "ECDSA", hash: "SHA-256" }
const DAY_MS = 86_400_000

/** Clinic and desk ids as they may appear in a certificate's names: 1-64 of A-Z a-z 0-9 _ - */
export const LAN_NAME = /^[A-Za-z0-9_-]{1,64}$/

export const CA_COMMON_NAME = "VetSync clinic CA"

/** A clinic's CA: its certificate and its private key (PKCS#8 PEM), kept by the registry only. */
export interface ClinicCa {
  clinicId: string
  certPem: string
  keyPem: string
}

/** The desk's LAN identity as the relay issued it (public: kept in credential.json). */
export interface LanCertificates {
  /** the desk's certificate (PEM), signed by the clinic CA */
  cert: string
  /** the clinic CA's certificate (PEM): the one trust anchor for LAN peers */
  ca: string
}

export type CertCheck = { ok: true; clinicId: string; deskId: string } | { ok: false; reason: string }

const checkName = (what: string, name: string): void => {
  if (!LAN_NAME.test(name)) throw new Error(`${what} ${JSON.stringify(name)} is not 1-64 of A-Z a-z 0-9 _ -`)
}

const deskName = (clinicId: string, deskId: string): string => `CN=${deskId}, O=${clinicId}`
const caName = (clinicId: string): string => `CN=${CA_COMMON_NAME}, O=${clinicId}`

/** A new clinic CA (P-256), valid `years` from `now`. */
export const createClinicCa = async (clinicId: string, now = new Date(), years = 30): Promise<ClinicCa> => {
  checkName("clinic id", clinicId)
  const x509 = await loadX509()
  const keys = (await crypto.subtle.generateKey(EC, true, ["sign", "verify"]))
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: caName(clinicId),
    keys,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + years * 365 * DAY_MS),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey)
  return { clinicId, certPem: cert.toString("pem"), keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") }
}

/** Whether `pem` is one P-256 public key (SPKI PEM), what a desk may send at enrolment. */
export const isDeskPublicKey = (pem: string): boolean => {
  // SPKI only: node reads a public key out of a private key or a certificate as well
  const text = pem.trim()
  if (!text.startsWith("-----BEGIN PUBLIC KEY-----") || text.indexOf("-----BEGIN", 1) !== -1) return false
  try {
    const key = createPublicKey({ key: text, format: "pem" })
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1"
  } catch {
    return false
  }
}

/** The desk certificate for `deskId` of the CA's clinic over the desk's public key, valid `days` from `now`. */
export const issueDeskCertificate = async (
  ca: ClinicCa,
  deskId: string,
  publicKeyPem: string,
  now = new Date(),
  days = 825,
): Promise<string> => {
  checkName("desk id", deskId)
  if (!isDeskPublicKey(publicKeyPem)) throw new Error("the desk's public key is not a P-256 public key")
  const x509 = await loadX509()
  const caCert = new x509.X509Certificate(ca.certPem)
  const signingKey = await crypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(ca.keyPem), EC, false, ["sign"])
  const publicKey = new x509.PublicKey(publicKeyPem)
  const cert = await x509.X509CertificateGenerator.create({
    subject: deskName(ca.clinicId, deskId),
    issuer: caCert.subject,
    publicKey,
    signingKey,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  })
  return cert.toString("pem")
}

/** The one value of `type` (O, CN) in a distinguished name, or undefined when absent or repeated. */
const nameField = (name: X509.Name, type: string): string | undefined => {
  const values = name.getField(type)
  return values.length === 1 ? values[0] : undefined
}

const within = (cert: X509.X509Certificate, now: Date): boolean => cert.notBefore <= now && now <= cert.notAfter

/** Whether `caPem` is a CA certificate of `clinicId` (self-signed, in force, a CA). */
export const verifyClinicCa = async (caPem: string, clinicId: string, now = new Date()): Promise<CertCheck> => {
  const x509 = await loadX509()
  let ca: X509.X509Certificate
  try {
    ca = new x509.X509Certificate(caPem)
  } catch {
    return { ok: false, reason: "the clinic CA is not a certificate" }
  }
  const name = new x509.Name(ca.subject)
  if (nameField(name, "O") !== clinicId || nameField(name, "CN") !== CA_COMMON_NAME)
    return { ok: false, reason: `the CA is not the CA of clinic ${clinicId}` }
  if (!within(ca, now)) return { ok: false, reason: "the clinic CA is not in force" }
  const bc = ca.getExtension(x509.BasicConstraintsExtension)
  if (!bc?.ca) return { ok: false, reason: "the clinic CA is not a CA certificate" }
  if (!(await ca.verify({ signatureOnly: true }))) return { ok: false, reason: "the clinic CA's signature is wrong" }
  return { ok: true, clinicId, deskId: "" }
}

/**
 * Whether `certPem` is a desk certificate of `clinicId` issued by the clinic CA `caPem` and in
 * force at `now`: names, signature, validity, not a CA. Refusals say why.
 */
export const verifyDeskCertificate = async (
  certPem: string,
  caPem: string,
  clinicId: string,
  now = new Date(),
): Promise<CertCheck> => {
  const caCheck = await verifyClinicCa(caPem, clinicId, now)
  if (!caCheck.ok) return caCheck
  const x509 = await loadX509()
  let cert: X509.X509Certificate
  try {
    cert = new x509.X509Certificate(certPem)
  } catch {
    return { ok: false, reason: "not a certificate" }
  }
  const ca = new x509.X509Certificate(caPem)
  const subject = new x509.Name(cert.subject)
  const certClinic = nameField(subject, "O")
  const deskId = nameField(subject, "CN")
  if (certClinic !== clinicId) return { ok: false, reason: `the certificate is of clinic ${certClinic ?? "?"}, not ${clinicId}` }
  if (deskId === undefined || !LAN_NAME.test(deskId)) return { ok: false, reason: "the certificate names no desk" }
  if (cert.issuer !== ca.subject) return { ok: false, reason: "the certificate was not issued by the clinic CA" }
  if (!within(cert, now)) return { ok: false, reason: "the certificate is expired or not yet valid" }
  if (cert.getExtension(x509.BasicConstraintsExtension)?.ca) return { ok: false, reason: "a CA certificate is not a desk's" }
  const signed = await cert.verify({ publicKey: ca.publicKey, signatureOnly: true })
  if (!signed) return { ok: false, reason: "the certificate's signature is not the clinic CA's" }
  return { ok: true, clinicId, deskId }
}

/** A certificate as PEM from its DER bytes (what a TLS socket gives for its peer). */
export const certificatePem = (der: Uint8Array): string => {
  // as x509's PemConverter writes it: base64 in lines of 64, no final newline
  const base64 = Buffer.from(der).toString("base64")
  const lines: string[] = []
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64))
  return ["-----BEGIN CERTIFICATE-----", ...lines, "-----END CERTIFICATE-----"].join("\n")
}
