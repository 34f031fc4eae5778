import type { IncomingMessage, ServerResponse } from "node:http"
import type { TLSSocket } from "node:tls"
import type { LanSnapshotProvider } from "./DeskSnapshot.js"
import { verifiedPeerDesk, type LanIdentity } from "./lanTls.js"

/** The relay's bootstrap paths, on the LAN listener: `GET /clinics/<clinic>/snapshot | documents`. */
export const LAN_SNAPSHOT_PATH = /^\/clinics\/([^/]+)\/(snapshot|documents)$/

export interface ServeSnapshotDeps {
  id: LanIdentity
  revoked: () => ReadonlySet<string>
  provider: () => LanSnapshotProvider | undefined
  log: (line: string) => void
}

const refuse = (res: ServerResponse, status: number, error: string): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error }))
}

/** Resolves when `res` takes more, rejects when the peer went away first. */
const drained = (res: ServerResponse): Promise<void> =>
  new Promise((resolve, reject) => {
    const done = (gone: boolean): void => {
      res.off("drain", ok)
      res.off("close", away)
      if (gone) reject(new Error("the peer went away"))
      else resolve()
    }
    const ok = (): void => done(false)
    const away = (): void => done(true)
    res.on("drain", ok)
    res.on("close", away)
  })

/**
 * Sends the bundle as it is made (chunked), minding back-pressure; its bytes. A failure before the
 * first bytes still answers 500 (the caller's catch); after them the connection is destroyed before
 * the chunked body's end, which the new desk's download takes for an error (never a shorter bundle).
 */
const streamBundle = async (res: ServerResponse, bundle: AsyncIterable<Buffer>): Promise<number> => {
  const parts = bundle[Symbol.asyncIterator]()
  let next = await parts.next()
  res.writeHead(200, { "content-type": "application/octet-stream" })
  let bytes = 0
  while (!next.done) {
    bytes += next.value.length
    if (!res.write(next.value)) await drained(res)
    next = await parts.next()
  }
  await new Promise<void>(resolve => res.end(resolve))
  return bytes
}

/**
 * Answers a LAN peer's request for this desk's clinic snapshot or bundle (a new desk whose relay
 * is down or slow, issue 15). The TLS handshake has already required a certificate of the clinic
 * CA; the peer's certificate is checked again in full as for a sync socket (our clinic, a desk,
 * not revoked as this desk last heard). Anyone else gets a refusal and nothing of the clinic.
 */
export const serveSnapshot = (req: IncomingMessage, res: ServerResponse, deps: ServeSnapshotDeps): void => {
  const { id, log } = deps
  const match = LAN_SNAPSHOT_PATH.exec(new URL(req.url ?? "/", "https://lan").pathname)
  if (req.method !== "GET" || !match) return refuse(res, 404, "not found")
  const what = match[2] === "documents" ? "documents" : "snapshot"
  verifiedPeerDesk(req.socket as TLSSocket, id)
    .then(async desk => {
      if (desk === undefined) {
        log(`LAN ${what} refused: the peer's certificate is not of this clinic`)
        return refuse(res, 403, "not a desk of this clinic")
      }
      if (deps.revoked().has(desk)) {
        log(`LAN ${what} refused: desk ${desk} is revoked`)
        return refuse(res, 403, "revoked")
      }
      if (decodeURIComponent(match[1] ?? "") !== id.clinicId) return refuse(res, 404, "not this clinic")
      const provider = deps.provider()
      if (!provider?.ready()) return refuse(res, 503, "this desk has not got its clinic whole yet")
      if (what === "documents") {
        const bytes = await streamBundle(res, provider.documents())
        return log(`LAN: served the clinic's documents to desk ${desk} (${bytes} bytes)`)
      }
      const body = await provider.snapshot()
      log(`LAN: served the clinic's snapshot to desk ${desk} (${body.length} bytes)`)
      res
        .writeHead(200, { "content-type": "application/x-ndjson", "content-encoding": "gzip", "content-length": String(body.length) })
        .end(body)
    })
    .catch((e: unknown) => {
      log(`LAN ${what} failed: ${(e as Error).message}`)
      if (!res.headersSent) refuse(res, 500, `${what} failed`)
      else res.destroy()
    })
}
