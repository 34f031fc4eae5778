import { loadDeskCredential, saveDeskCredential } from "@vetsync/shared"
import { loadOrCreateDeskLanKey, type LanCertificates } from "@vetsync/shared/lan"
import { parseRelayAddress } from "./relayAddress.js"

export type LanCertificateOutcome =
  | { ok: true; lan: LanCertificates; fetched: boolean }
  | { ok: false; detail: string }

/**
 * A desk enrolled before LAN certificates existed asks its relay for one (`POST /lan-certificate`
 * with its credential and its LAN public key, sync-server/src/enrolRoute.ts) and keeps it in
 * credential.json as enrolment does. A credential that already carries one is left alone: nothing is sent.
 */
export const ensureLanCertificate = async (dataDir: string, server: string | undefined, timeoutMs = 5_000): Promise<LanCertificateOutcome> => {
  const cred = loadDeskCredential(dataDir)
  if (!cred) return { ok: false, detail: "the desk has no credential" }
  if (cred.lan) return { ok: true, lan: cred.lan, fetched: false }
  const address = parseRelayAddress(cred.server ?? server ?? "")
  if (!address.ok) return { ok: false, detail: "the desk knows no relay to ask" }
  const lanPublicKey = loadOrCreateDeskLanKey(dataDir).publicKeyPem
  let res: Response
  try {
    res = await fetch(`${address.http}/lan-certificate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${cred.credential}` },
      body: JSON.stringify({ lanPublicKey }),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (e) {
    const err = e as Error & { cause?: Error }
    return { ok: false, detail: `the relay is unreachable: ${err.cause?.message ?? err.message}` }
  }
  const body = (await res.json().catch(() => null)) as { cert?: unknown; ca?: unknown; error?: unknown } | null
  if (!res.ok || typeof body?.cert !== "string" || typeof body.ca !== "string")
    return { ok: false, detail: `the relay answered ${res.status}${typeof body?.error === "string" ? `: ${body.error}` : ""}` }
  const lan = { cert: body.cert, ca: body.ca }
  // the credential as it is now (enrolment may have replaced it meanwhile), with the certificate
  const now = loadDeskCredential(dataDir)
  if (now?.credential !== cred.credential) return { ok: false, detail: "the desk was enrolled again meanwhile" }
  saveDeskCredential(dataDir, { ...now, lan })
  return { ok: true, lan, fetched: true }
}
