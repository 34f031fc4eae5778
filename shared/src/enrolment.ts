import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

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
}

export const CREDENTIAL_FILE = "credential.json"

/** The desk's stored credential, if it has enrolled. */
export const loadDeskCredential = (dataDir: string): DeskCredential | undefined => {
  let text: string
  try {
    text = fs.readFileSync(path.join(dataDir, CREDENTIAL_FILE), "utf8")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
  const c = JSON.parse(text) as Partial<DeskCredential>
  if (typeof c.deskId !== "string" || typeof c.clinicId !== "string" || typeof c.credential !== "string")
    throw new Error(`${CREDENTIAL_FILE} in ${dataDir} is damaged: enrol the desk again`)
  return {
    deskId: c.deskId,
    clinicId: c.clinicId,
    ...(typeof c.deskCode === "string" && c.deskCode !== "" ? { deskCode: c.deskCode } : {}),
    credential: c.credential,
  }
}

/**
 * A desk's options with its credential's identity: the clinic, desk id and code the registry gave
 * it win over flags and defaults (a credential without a code keeps the given code).
 */
export const withCredential = <T extends { clinicId: string; deskId: string; deskCode: string; credential?: string }>(
  options: T,
  cred: DeskCredential | undefined,
): T =>
  cred
    ? {
        ...options,
        clinicId: cred.clinicId,
        deskId: cred.deskId,
        deskCode: cred.deskCode ?? options.deskCode,
        credential: cred.credential,
      }
    : options

/**
 * Exchanges a one-time enrolment token (from `vetsync desks add`) at the relay
 * (`POST <relay>/enrol`, relay given as its http(s) or ws(s) URL) and stores the desk's
 * credential in `<dataDir>/credential.json` (owner-only, written atomically). The token
 * works once: a second call fails.
 */
export const enrolDesk = async (relayUrl: string, token: string, dataDir: string): Promise<DeskCredential> => {
  const url = new URL(relayUrl)
  url.protocol = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol
  url.pathname = "/enrol"
  url.search = ""
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  })
  const body = (await res.json().catch(() => ({}))) as Partial<DeskCredential> & { error?: string }
  if (
    !res.ok ||
    typeof body.credential !== "string" ||
    typeof body.deskId !== "string" ||
    typeof body.clinicId !== "string" ||
    typeof body.deskCode !== "string"
  )
    throw new Error(`enrolment refused (${res.status}): ${body.error ?? "no credential in the answer"}`)
  const cred: DeskCredential = {
    deskId: body.deskId,
    clinicId: body.clinicId,
    deskCode: body.deskCode,
    credential: body.credential,
  }
  fs.mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, CREDENTIAL_FILE)
  const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`
  const fd = fs.openSync(tmp, "w", 0o600)
  try {
    fs.writeFileSync(fd, JSON.stringify(cred))
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
  return cred
}
