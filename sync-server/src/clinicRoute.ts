import { createReadStream } from "node:fs"
import type * as http from "node:http"
import type { DocumentId } from "@automerge/automerge-repo"
import { docIdFor, isDocKey, type DocKey } from "@vetsync/shared/docs"
import { parseDeskReport, type DeskReport } from "@vetsync/shared/net"
import type { Identity } from "./Authenticator.js"
import type { ReadModelImages } from "./ReadModelImages.js"
import type { SnapshotBuilder } from "./SnapshotBuilder.js"
import type { LineLog } from "@vetsync/shared/log"

/** `GET /clinics/:clinicId/snapshot | documents | heads | read-model`, `POST /clinics/:clinicId/resync | report` */
export const CLINIC_PATH = /^\/clinics\/([^/]+)\/(snapshot|documents|heads|read-model|resync|report)$/
/** the requests that are POSTs */
export const CLINIC_POSTS: readonly string[] = ["resync", "report"]

/** the most documents one resync request names (a clinic has 64 shards and a few per month) */
const MAX_RESYNC_KEYS = 500
const MAX_RESYNC_BODY = 64 * 1024

export interface ClinicRouteDeps {
  authenticate: (req: http.IncomingMessage) => Promise<Identity | null>
  /** makes the clinic known to the relay (its layout documents belong to it) */
  registerClinic: (clinicId: string) => void
  snapshots: SnapshotBuilder
  /** the clinics' read-model images; absent: `read-model` answers 404 (a desk takes the snapshot) */
  images?: ReadModelImages
  /** gives a document a fresh synchronizer on the relay (RelayPolicy.resync) */
  resync: (docId: DocumentId) => void
  /** keeps a desk's report (the node registry) */
  report: (identity: Identity, report: DeskReport, receivedAt: Date, clockOffsetMs: number) => Promise<void>
  /** undefined: the identity is served here; otherwise the sync address of the relay holding its clinic's lease */
  admit?: (identity: Identity) => Promise<string | undefined>
  log: LineLog
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
      if (!identity) {
        deps.log(`${what} of ${clinicId} refused: unauthenticated`, { level: "warn", clinic: clinicId })
        return reply(res, 401, { error: "unauthenticated" })
      }
      if (identity.role === "desk" && identity.clinicId !== clinicId) {
        deps.log(`${what} of ${clinicId} refused: desk ${identity.deskId} is of clinic ${identity.clinicId}`, {
          level: "warn",
          clinic: identity.clinicId,
          desk: identity.deskId,
        })
        return reply(res, 403, { error: "other clinic" })
      }
      if (what === "report") return await answerReport(req, res, identity, clinicId, deps)
      // the clinic's documents are current on the relay holding its lease alone: a desk is sent there
      const elsewhere = await deps.admit?.(identity.role === "service" ? { ...identity, clinicId } : identity)
      if (elsewhere !== undefined) {
        deps.log(`${what} of ${clinicId} for desk ${identity.deskId} sent to ${elsewhere}: the relay holding its lease`, {
          clinic: clinicId,
          desk: identity.deskId,
        })
        res.writeHead(307, { location: clinicLocation(elsewhere, req.url ?? "/"), "content-length": "0" }).end()
        return
      }
      deps.registerClinic(clinicId)
      if (what === "resync") {
        const keys = resyncKeys(await readBody(req))
        if (!keys)
          return reply(res, 400, {
            error: `resync takes {"keys": [...]}: at most ${MAX_RESYNC_KEYS} document keys of the clinic`,
          })
        // the ids are the clinic's own (derived from its id): no other clinic's document can be named
        for (const key of keys) deps.resync(docIdFor(clinicId, key))
        return reply(res, 200, { resynced: keys.length })
      }
      if (what === "heads") return reply(res, 200, await deps.snapshots.heads(clinicId))
      if (what === "read-model") return await answerImage(req, res, clinicId, deps.images)
      if (what === "documents") {
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(await deps.snapshots.bundle(clinicId))
        return
      }
      const gz = await deps.snapshots.gzipped(clinicId)
      res.writeHead(200, { "content-type": "application/x-ndjson", "content-encoding": "gzip" }).end(gz)
    })
    .catch(e => {
      // a request its caller cut off mid-body (a desk closing, a network cut) is the caller's doing, not the relay's
      const cut = req.readableAborted || (e as NodeJS.ErrnoException).code === "ECONNRESET"
      deps.log(`${what} of ${clinicId} ${cut ? "cut off by its caller" : "failed"}: ${(e as Error).message}`, {
        level: cut ? "warn" : "error",
        clinic: clinicId,
      })
      if (!res.headersSent) reply(res, 500, { error: `${what} failed` })
      else res.destroy()
    })
}

/**
 * `GET /clinics/:id/read-model?version=<the desk's read-model version>`: the clinic's read-model image
 * (gzip'd SQLite, sent as the gzip file it is, `application/gzip`, for the desk to gunzip in large
 * chunks: fetch's own content-encoding decoding took 0.4 s more at seed scale; x-vetsync-generated-at:
 * the snapshot it reflects),
 * or 404 when there is none of that version yet (its build starts; the desk takes the snapshot).
 */
const answerImage = async (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  clinicId: string,
  images: ReadModelImages | undefined,
): Promise<void> => {
  const version = Number(new URL(req.url ?? "/", "http://relay").searchParams.get("version"))
  if (!Number.isInteger(version) || version < 1) return reply(res, 400, { error: "read-model takes ?version=<n>" })
  const meta = await images?.current(clinicId, version)
  if (!images || !meta) return reply(res, 404, { error: `no read-model image of version ${version} yet` })
  const file = createReadStream(images.fileOf(clinicId))
  file.once("error", e => {
    if (!res.headersSent) reply(res, 404, { error: `read-model image unreadable: ${e.message}` })
    else res.destroy()
  })
  file.once("open", () => {
    res.writeHead(200, {
      "content-type": "application/gzip",
      "x-vetsync-generated-at": meta.generatedAt,
      "x-vetsync-records": String(meta.records),
    })
    file.pipe(res)
  })
}

/**
 * `POST /clinics/:id/report`: a desk's report, checked against DESK_REPORT and kept with the time
 * received and the clock offset (this relay's clock minus the desk's). Only a desk reports, and only
 * for itself (its clinic is checked before); a malformed report is refused (400) and changes nothing.
 */
const answerReport = async (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  identity: Identity,
  clinicId: string,
  deps: ClinicRouteDeps,
): Promise<void> => {
  const fields = { clinic: clinicId, desk: identity.deskId }
  if (identity.role !== "desk") return reply(res, 403, { error: "only desks report" })
  const body = await readBody(req)
  const parsed = body === undefined ? { ok: false as const, reason: "too large" } : parseDeskReport(body)
  if (!parsed.ok) {
    deps.log(`report of desk ${identity.deskId} refused: ${parsed.reason}`, { level: "warn", ...fields })
    return reply(res, 400, { error: `report refused: ${parsed.reason}` })
  }
  const receivedAt = new Date()
  const clockOffsetMs = receivedAt.getTime() - Date.parse(parsed.report.sentAt)
  await deps.report(identity, parsed.report, receivedAt, clockOffsetMs)
  deps.log(`report of desk ${identity.deskId}: ${parsed.report.waiting} waiting`, { level: "debug", ...fields })
  reply(res, 200, { receivedAt: receivedAt.toISOString(), clockOffsetMs })
}

/** ws(s)://holder:port/sync → http(s)://holder:port<the request's path and query> */
export const clinicLocation = (holderSyncUrl: string, requestUrl: string): string => {
  const to = new URL(holderSyncUrl)
  to.protocol = to.protocol === "wss:" ? "https:" : "http:"
  const asked = new URL(requestUrl, "http://relay.invalid")
  to.pathname = asked.pathname
  to.search = asked.search
  return to.toString()
}

/** The request's body, at most MAX_RESYNC_BODY bytes (undefined beyond). */
const readBody = async (req: http.IncomingMessage): Promise<string | undefined> => {
  let size = 0
  const parts: Buffer[] = []
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length
    if (size > MAX_RESYNC_BODY) return undefined
    parts.push(part)
  }
  return Buffer.concat(parts).toString("utf8")
}

/** `{"keys": ["clients/7", "appointments/2026-12"]}`: the document keys, or undefined if it is anything else. */
export const resyncKeys = (body: string | undefined): DocKey[] | undefined => {
  if (body === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length > MAX_RESYNC_KEYS) return undefined
  const valid = keys.filter((k): k is DocKey => typeof k === "string" && isDocKey(k))
  return valid.length === keys.length ? valid : undefined
}
