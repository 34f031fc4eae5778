import type * as http from "node:http"
import type { Identity } from "./Authenticator.js"
import type { SnapshotBuilder } from "./SnapshotBuilder.js"

/** `GET /clinics/:clinicId/snapshot | documents | heads` */
export const CLINIC_PATH = /^\/clinics\/([^/]+)\/(snapshot|documents|heads)$/

export interface ClinicRouteDeps {
  authenticate: (req: http.IncomingMessage) => Promise<Identity | null>
  /** makes the clinic known to the relay (its layout documents belong to it) */
  registerClinic: (clinicId: string) => void
  snapshots: SnapshotBuilder
  log: (line: string) => void
}

const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
}

/**
 * A desk's bootstrap requests: the clinic's snapshot (gzip NDJSON), its bundle of whole documents,
 * or its documents' current heads. Authenticated like the sync socket; a desk reads only its own
 * clinic, a service any.
 */
export const handleClinicRequest = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  match: RegExpExecArray,
  deps: ClinicRouteDeps,
): void => {
  const clinicId = decodeURIComponent(match[1] ?? "")
  const what = match[2]
  deps
    .authenticate(req)
    .then(async identity => {
      if (!identity) return reply(res, 401, { error: "unauthenticated" })
      if (identity.role === "desk" && identity.clinicId !== clinicId) return reply(res, 403, { error: "other clinic" })
      deps.registerClinic(clinicId)
      if (what === "heads") return reply(res, 200, await deps.snapshots.heads(clinicId))
      if (what === "documents") {
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(await deps.snapshots.bundle(clinicId))
        return
      }
      const gz = await deps.snapshots.gzipped(clinicId)
      res.writeHead(200, { "content-type": "application/x-ndjson", "content-encoding": "gzip" }).end(gz)
    })
    .catch(e => {
      deps.log(`${what} of ${clinicId} failed: ${(e as Error).message}`)
      if (!res.headersSent) reply(res, 500, { error: `${what} failed` })
      else res.destroy()
    })
}
