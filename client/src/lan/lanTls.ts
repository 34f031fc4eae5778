import type { PeerCertificate, TLSSocket } from "node:tls"
import { certificatePem, verifyDeskCertificate, type LanCertificates } from "@vetsync/shared/lan"

/** What a desk needs to take part in its clinic's LAN sync: its names, certificates and private key. */
export interface LanIdentity {
  clinicId: string
  deskId: string
  certs: LanCertificates
  /** the desk's private key (PKCS#8 PEM, `<data-dir>/lan-key.pem`) */
  keyPem: string
}

/** The TLS material of both ends: our certificate and key, the clinic CA as the only trust anchor. */
export const tlsMaterial = (id: LanIdentity): { cert: string; key: string; ca: string } => ({
  cert: id.certs.cert,
  key: id.keyPem,
  ca: id.certs.ca,
})

const field = (v: string | string[] | undefined): string | undefined => (typeof v === "string" ? v : undefined)

/**
 * The desk id a peer's certificate names, when it is of our clinic (OpenSSL has already checked
 * that the clinic CA issued it and that it is in force); undefined otherwise.
 */
export const peerDeskOf = (cert: PeerCertificate | undefined, clinicId: string): string | undefined => {
  // a repeated field comes as an array
  const subject = cert?.subject
  if (!subject || field(subject.O) !== clinicId) return undefined
  return field(subject.CN)
}

/**
 * Whether the connection with this desk is the one to keep: each pair of desks keeps one
 * connection, the one the desk with the smaller id opened (both ends decide alike).
 */
export const keepsConnection = (dialer: string, listener: string): boolean => dialer < listener

/**
 * The peer desk of an authorised TLS socket, checked again in full against our clinic's CA
 * (names, signature, validity); undefined when the socket is not authorised or the check fails.
 */
export const verifiedPeerDesk = async (socket: TLSSocket, id: LanIdentity): Promise<string | undefined> => {
  if (!socket.authorized) return undefined
  const cert = socket.getPeerCertificate()
  if (!cert.raw) return undefined
  const check = await verifyDeskCertificate(certificatePem(cert.raw), id.certs.ca, id.clinicId)
  return check.ok ? check.deskId : undefined
}
