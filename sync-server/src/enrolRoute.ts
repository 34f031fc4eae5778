import type * as http from "node:http"
import type { Authenticator } from "./Authenticator.js"
import type { LineLog } from "@vetsync/shared/log"

/** Largest /enrol request body: a JSON object with one token. */
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

/**
 * POST /enrol `{"token": "<one-time enrolment token>"}` -> 200 `{deskId, clinicId, deskCode, credential}`
 * once; 403 for a token that is unknown, used, expired or revoked; 400 for a bad body; 404
 * when the relay's authenticator has no enrolment (DevAuthenticator).
 */
export const handleEnrol = async (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  auth: Authenticator,
  log: LineLog,
): Promise<void> => {
  if (!auth.enrol) return reply(res, 404, { error: "enrolment is not enabled on this relay" })
  const body = await readBody(req)
  if (body === null) return reply(res, 413, { error: "request too large" })
  let token: unknown
  try {
    token = (JSON.parse(body) as { token?: unknown } | null)?.token
  } catch {
    return reply(res, 400, { error: 'body must be JSON {"token": ...}' })
  }
  if (typeof token !== "string") return reply(res, 400, { error: 'body must be JSON {"token": ...}' })
  const enrolled = await auth.enrol(token)
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
