import { createClinicCa, issueDeskCertificate, type ClinicCa, type LanCertificates } from "@vetsync/shared/lan"
import { X509Certificate } from "node:crypto"
import type { Queryable } from "./commands.js"

/**
 * The clinic's CA (migration 0018), created on first use: two relays creating it at once both
 * insert, one wins (ON CONFLICT DO NOTHING), and both read the winner's.
 */
export const clinicCaOf = async (db: Queryable, clinicId: string): Promise<ClinicCa> => {
  const read = async (): Promise<ClinicCa | undefined> => {
    const { rows } = await db.query<{ cert_pem: string; key_pem: string }>(
      "SELECT cert_pem, key_pem FROM clinic_cas WHERE clinic_id = $1",
      [clinicId],
    )
    const row = rows[0]
    return row ? { clinicId, certPem: row.cert_pem, keyPem: row.key_pem } : undefined
  }
  const known = await read()
  if (known) return known
  const ca = await createClinicCa(clinicId)
  await db.query(
    "INSERT INTO clinic_cas (clinic_id, cert_pem, key_pem) VALUES ($1, $2, $3) ON CONFLICT (clinic_id) DO NOTHING",
    [clinicId, ca.certPem, ca.keyPem],
  )
  const stored = await read()
  if (!stored) throw new Error(`the CA of clinic ${clinicId} was not stored`)
  return stored
}

/**
 * Signs an enrolled, unrevoked desk's public key (P-256, SPKI PEM) with its clinic's CA and
 * records the certificate; null when the desk is unknown or revoked. Throws for a key that is
 * not P-256.
 */
export const issueLanCertificate = async (
  db: Queryable,
  deskId: string,
  publicKeyPem: string,
): Promise<LanCertificates | null> => {
  const { rows } = await db.query<{ clinic_id: string }>(
    "SELECT clinic_id FROM desk_credentials WHERE desk_id = $1 AND revoked_at IS NULL AND enrolled_at IS NOT NULL",
    [deskId],
  )
  const clinicId = rows[0]?.clinic_id
  if (clinicId === undefined) return null
  const ca = await clinicCaOf(db, clinicId)
  const cert = await issueDeskCertificate(ca, deskId, publicKeyPem)
  await db.query("UPDATE desk_credentials SET lan_cert_pem = $2, lan_cert_not_after = $3 WHERE desk_id = $1", [
    deskId,
    cert,
    new Date(new X509Certificate(cert).validTo),
  ])
  return { cert, ca: ca.certPem }
}
