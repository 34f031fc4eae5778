import { pipeline, Readable } from "node:stream"
import { createGunzip } from "node:zlib"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import { fetchFollowingRelay } from "@vetsync/shared/net"

type ClinicEndpoint = "snapshot" | "documents" | "heads" | "read-model" | "resync" | "report"

/** ws://host:port/sync?x → http://host:port/clinics/<clinic>/snapshot (or /documents, /heads...), with `query` */
const clinicUrl = (server: string, clinicId: string, what: ClinicEndpoint, query: Record<string, string> = {}): string => {
  const u = new URL(server)
  u.protocol = u.protocol === "wss:" ? "https:" : "http:"
  u.pathname = `/clinics/${encodeURIComponent(clinicId)}/${what}`
  u.search = new URLSearchParams(query).toString()
  return u.toString()
}

/** GET one of the relay's clinic endpoints, given up after `ms` or when `signal` aborts. */
export const fetchClinic = (
  server: string,
  clinicId: string,
  what: ClinicEndpoint,
  headers: Record<string, string>,
  ms: number,
  signal?: AbortSignal,
  body?: unknown,
  query?: Record<string, string>,
): Promise<Response> => {
  const timeout = AbortSignal.timeout(ms)
  return fetchFollowingRelay(clinicUrl(server, clinicId, what, query), {
    ...(body === undefined
      ? { headers }
      : { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) }),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  })
}

/**
 * Where a new desk takes its clinic's bootstrap snapshot and bundle from: the relay, or a LAN peer
 * of the clinic (issue 15). Both serve the same format (SnapshotLine NDJSON, the document bundle);
 * the desk applies the same checks to either (Bootstrapper, SnapshotApplier).
 */
export interface SnapshotSource {
  /** "relay", or "LAN peer <address>": what the desk's messages name */
  readonly name: string
  readonly kind: "relay" | "lan"
  /** the snapshot's NDJSON text (gzip already undone); throws when it is not served */
  snapshot(signal?: AbortSignal): Promise<Readable>
  /** the bundle of whole documents */
  documents(signal?: AbortSignal): Promise<Uint8Array>
  /**
   * the read-model image of schema `version` (readmodel/readModelImage.ts: SQLite, gzip already
   * undone), when the source has one (undefined: take the snapshot); the relay only
   */
  image?(version: number, signal?: AbortSignal): Promise<Readable | undefined>
}

/** the read-model image's gunzip output chunks: 16 kB ones cost the desk 0.2 s more CPU at seed scale (83 MB) */
const IMAGE_CHUNK = 1 << 20

/** How long the relay's snapshot and bundle may take, whole */
const RELAY_DOWNLOAD_MS = 300_000

/** The relay's `GET /clinics/:id/snapshot` and `/documents`. */
export class RelaySnapshotSource implements SnapshotSource {
  readonly name = "relay"
  readonly kind = "relay"
  readonly #server: string
  readonly #clinicId: string
  readonly #headers: () => Record<string, string>
  readonly #answerMs: () => number | undefined

  /** `answerMs`: the relay must answer (its response headers) within this long, else the download is given up */
  constructor(
    server: string,
    clinicId: string,
    headers: () => Record<string, string>,
    answerMs: () => number | undefined = () => undefined,
  ) {
    this.#server = server
    this.#clinicId = clinicId
    this.#headers = headers
    this.#answerMs = answerMs
  }

  async snapshot(signal?: AbortSignal): Promise<Readable> {
    const res = await this.#get("snapshot", signal)
    if (!res.ok || !res.body) throw new Error(`snapshot: HTTP ${res.status} ${await res.text()}`)
    // fetch has undone the content-encoding: gzip already
    return Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>)
  }

  async image(version: number, signal?: AbortSignal): Promise<Readable | undefined> {
    const res = await this.#get("read-model", signal, { version: String(version) })
    if (res.status === 404) {
      await res.body?.cancel()
      return undefined
    }
    if (!res.ok || !res.body) throw new Error(`read-model: HTTP ${res.status} ${await res.text()}`)
    const body = Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>)
    // the relay sends the image as the gzip file it is: gunzipped here in 1 MB chunks, in about half
    // the desk's CPU of fetch's own content-encoding decoding (a relay that sent it so has had it decoded)
    if (res.headers.get("content-type") !== "application/gzip") return body
    // (an error or a destroy on either side ends both; the consumer sees it on the gunzip)
    return pipeline(body, createGunzip({ chunkSize: IMAGE_CHUNK }), () => undefined)
  }

  async documents(signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.#get("documents", signal)
    if (!res.ok) throw new Error(`documents: HTTP ${res.status}`)
    return new Uint8Array(await res.arrayBuffer())
  }

  async #get(
    what: "snapshot" | "documents" | "read-model",
    signal: AbortSignal | undefined,
    query?: Record<string, string>,
  ): Promise<Response> {
    const slow = new AbortController()
    const answerMs = this.#answerMs()
    const timer =
      answerMs === undefined
        ? undefined
        : setTimeout(() => slow.abort(new Error(`the relay did not answer within ${answerMs} ms`)), answerMs)
    try {
      const both = signal ? AbortSignal.any([signal, slow.signal]) : slow.signal
      return await fetchClinic(this.#server, this.#clinicId, what, this.#headers(), RELAY_DOWNLOAD_MS, both, undefined, query)
    } finally {
      clearTimeout(timer)
    }
  }
}
