import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { LanCertificates } from "./lan/clinicCerts.js"
import { loadOrCreateDeskLanKey } from "./lan/deskLanKey.js"

/** What a desk keeps in its data directory after enrolment (credential.json, mode 0600). */
export interface DeskCredential {
  deskId: string
  clinicId: string
  /**
   * the desk's code in its clinic (`vetsync desks add` gives it, unique there): its invoice numbers'
   * prefix. Absent in a credential enrolled before desks had codes.
   */
  deskCode?: string
  /** presented as `Authorization: Bearer <credential>` on the WebSocket upgrade and the snapshot request */
  credential: string
  /** the relay it was issued by (its sync URL, ws(s)://host/sync); absent in credentials kept before it was recorded */
  server?: string
  /**
   * the desk's LAN certificate (its own key, signed by the clinic's CA) and the clinic CA's
   * certificate (issue 15); absent for desks enrolled before, or at a relay without a registry
   */
  lan?: LanCertificates
}

const lanOf = (v: unknown): LanCertificates | undefined => {
  const l = v as Partial<LanCertificates> | null | undefined
  return typeof l?.cert === "string" && typeof l.ca === "string" ? { cert: l.cert, ca: l.ca } : undefined
}

export const CREDENTIAL_FILE = "credential.json"

/** The desk's stored credential (`file` in its data directory), if it has enrolled. */
export const loadDeskCredential = (dataDir: string, file = CREDENTIAL_FILE): DeskCredential | undefined => {
  let text: string
  try {
    text = fs.readFileSync(path.join(dataDir, file), "utf8")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
  const c = JSON.parse(text) as Partial<DeskCredential>
  if (typeof c.deskId !== "string" || typeof c.clinicId !== "string" || typeof c.credential !== "string")
    throw new Error(`${file} in ${dataDir} is damaged: enrol the desk again`)
  return {
    deskId: c.deskId,
    clinicId: c.clinicId,
    ...(typeof c.deskCode === "string" && c.deskCode !== "" ? { deskCode: c.deskCode } : {}),
    credential: c.credential,
    ...(typeof c.server === "string" ? { server: c.server } : {}),
    ...(lanOf(c.lan) ? { lan: lanOf(c.lan) } : {}),
  }
}

/** Stores a credential in `<dataDir>/<file>`: owner-only, written whole (fsync, then rename). */
export const saveDeskCredential = (dataDir: string, cred: DeskCredential, file = CREDENTIAL_FILE): void => {
  fs.mkdirSync(dataDir, { recursive: true })
  const target = path.join(dataDir, file)
  const tmp = `${target}.tmp-${randomBytes(6).toString("hex")}`
  const fd = fs.openSync(tmp, "w", 0o600)
  try {
    fs.writeFileSync(fd, JSON.stringify(cred))
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, target)
}

/** What the relay answered to POST /enrol. */
export type EnrolmentAnswer =
  | { ok: true; credential: DeskCredential }
  /**
   * `error`: the relay's own words when it answered JSON `{error}`, else undefined (not a VetSync
   * answer); `location`: where a redirect pointed (a relay never redirects: a wrong address)
   */
  | { ok: false; status: number; error: string | undefined; location?: string }

/**
 * `POST <relay>/enrol {"token"}` (relay given as its http(s) or ws(s) URL): the relay's answer,
 * nothing stored. A network failure (unreachable, refused, TLS, aborted) throws fetch's error.
 * The credential carries the desk code the registry gave the desk (absent from a relay that
 * answers none).
 */
export const exchangeEnrolmentToken = async (
  relayUrl: string,
  token: string,
  options: { signal?: AbortSignal; lanPublicKey?: string } = {},
): Promise<EnrolmentAnswer> => {
  const url = new URL(relayUrl)
  url.protocol = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol
  url.pathname = "/enrol"
  url.search = ""
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(options.lanPublicKey !== undefined ? { token, lanPublicKey: options.lanPublicKey } : { token }),
    redirect: "manual",
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const body = (await res.json().catch(() => null)) as (Omit<Partial<DeskCredential>, "lan"> & { error?: unknown; lan?: unknown }) | null
  if (
    res.ok &&
    typeof body?.credential === "string" &&
    typeof body.deskId === "string" &&
    typeof body.clinicId === "string"
  )
    return {
      ok: true,
      credential: {
        deskId: body.deskId,
        clinicId: body.clinicId,
        ...(typeof body.deskCode === "string" && body.deskCode !== "" ? { deskCode: body.deskCode } : {}),
        credential: body.credential,
        ...(lanOf(body.lan) ? { lan: lanOf(body.lan) } : {}),
      },
    }
  const location = res.headers.get("location")
  return {
    ok: false,
    status: res.status,
    error: typeof body?.error === "string" ? body.error : undefined,
    ...(location ? { location } : {}),
  }
}

/**
 * Exchanges a one-time enrolment token (from `vetsync desks add`) at the relay and stores the
 * desk's credential (desk id, clinic, desk code), with the relay's address, in
 * `<dataDir>/credential.json`. The token works once: a second call fails. The desk's LAN key
 * (made on first use, `<dataDir>/lan-key.pem`) goes with it as a public key, and the clinic's
 * certificates come back in the credential.
 */
export const enrolDesk = async (relayUrl: string, token: string, dataDir: string): Promise<DeskCredential> => {
  const answer = await exchangeEnrolmentToken(relayUrl, token, { lanPublicKey: loadOrCreateDeskLanKey(dataDir).publicKeyPem })
  if (!answer.ok)
    throw new Error(`enrolment refused (${answer.status}): ${answer.error ?? "no credential in the answer"}`)
  const cred: DeskCredential = { ...answer.credential, server: relayUrl }
  saveDeskCredential(dataDir, cred)
  return cred
}
