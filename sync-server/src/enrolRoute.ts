import type * as http from "node:http"
import type { Authenticator } from "./Authenticator.js"
import type { LineLog } from "@vetsync/shared/log"
import { isDeskPublicKey } from "@vetsync/shared/lan"

/** Largest /enrol request body: a JSON object with one token and a public key (PEM). */
const MAX_BODY = 4096

const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
  const headers: http.OutgoingHttpHeaders = { "content-type": "application/json", "cache-control": "no-store" }
  if (status === 413) headers.connection = "close"
  res.writeHead(status, headers).end(JSON.stringify(body))
}

const readBody = (req: http.IncomingMessage): Promise<string | null> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (c: Buffer): void => {
      size += c.length
      if (size <= MAX_BODY) return void chunks.push(c)
      // too large: discard the rest (the reply closes the connection) and answer now
      req.off("data", onData)
      req.resume()
      resolve(null)
    }
    req.on("data", onData)
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

type Body = { ok: true; token: unknown; lanPublicKey: unknown } | { ok: false; status: number; error: string }

const parseBody = async (req: http.IncomingMessage): Promise<Body> => {
  const body = await readBody(req)
  if (body === null) return { ok: false, status: 413, error: "request too large" }
  try {
    const parsed = JSON.parse(body) as { token?: unknown; lanPublicKey?: unknown } | null
    return { ok: true, token: parsed?.token, lanPublicKey: parsed?.lanPublicKey }
  } catch {
    return { ok: false, status: 400, error: "body must be JSON" }
  }
}

/** The optional LAN public key: absent, or one P-256 public key (SPKI PEM). */
const lanKeyOf = (v: unknown): { ok: true; key: string | undefined } | { ok: false } => {
  if (v === undefined || v === null) return { ok: true, key: undefined }
  return typeof v === "string" && isDeskPublicKey(v) ? { ok: true, key: v } : { ok: false }
}

/**
 * POST /enrol `{"token": "<one-time enrolment token>", "lanPublicKey"?: "<P-256 SPKI PEM>"}` ->
 * 200 `{deskId, clinicId, deskCode, credential, lan?: {cert, ca}}` once (lan: the desk's
 * certificate signed by its clinic's CA, and that CA's certificate, when a key was sent); 403 for
 * a token that is unknown, used, expired or revoked; 400 for a bad body or key; 404 when the
 * relay's authenticator has no enrolment (DevAuthenticator).
 */
export const handleEnrol = async (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  auth: Authenticator,
  log: LineLog,
): Promise<void> => {
  if (!auth.enrol) return reply(res, 404, { error: "enrolment is not enabled on this relay" })
  const body = await parseBody(req)
  if (!body.ok) return reply(res, body.status, { error: body.status === 400 ? 'body must be JSON {"token": ...}' : body.error })
  const { token } = body
  if (typeof token !== "string") return reply(res, 400, { error: 'body must be JSON {"token": ...}' })
  const lanKey = lanKeyOf(body.lanPublicKey)
  if (!lanKey.ok) return reply(res, 400, { error: "lanPublicKey must be a P-256 public key (SPKI PEM)" })
  const enrolled = await auth.enrol(token, lanKey.key)
  if (!enrolled) {
    log(`enrolment refused from ${req.socket.remoteAddress ?? "?"}`, { level: "warn" })
    return reply(res, 403, { error: "enrolment token unknown, used, expired or revoked" })
  }
  log(`desk ${enrolled.deskId} (${enrolled.deskCode}) of ${enrolled.clinicId} enrolled`, {
    clinic: enrolled.clinicId,
    desk: enrolled.deskId,
  })
  reply(res, 200, enrolled)
}

/**
 * POST /lan-certificate `{"lanPublicKey"}` with the desk's credential (Authorization: Bearer):
 * 200 `{cert, ca}`, a desk enrolled before LAN sync getting its certificate; 401 without a desk's
 * valid credential, 400 for a bad key, 404 when the relay has no registry.
 */
export const handleLanCertificate = async (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  auth: Authenticator,
  log: LineLog,
): Promise<void> => {
  if (!auth.lanCertificate) return reply(res, 404, { error: "LAN certificates are not issued by this relay" })
  const identity = await auth.authenticate(req)
  if (!identity || identity.role !== "desk") return reply(res, 401, { error: "a desk's credential is required" })
  const body = await parseBody(req)
  if (!body.ok) return reply(res, body.status, { error: body.error })
  const lanKey = lanKeyOf(body.lanPublicKey)
  if (!lanKey.ok || lanKey.key === undefined)
    return reply(res, 400, { error: "lanPublicKey must be a P-256 public key (SPKI PEM)" })
  const lan = await auth.lanCertificate(identity.deskId, lanKey.key)
  if (!lan) return reply(res, 401, { error: "a desk's credential is required" })
  log(`desk ${identity.deskId} of ${identity.clinicId} got its LAN certificate`, { clinic: identity.clinicId, desk: identity.deskId })
  reply(res, 200, lan)
}
