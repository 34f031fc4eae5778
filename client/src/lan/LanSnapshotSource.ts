import type { IncomingMessage } from "node:http"
import * as https from "node:https"
import { pipeline, type Readable } from "node:stream"
import { createGunzip } from "node:zlib"
import type { SnapshotSource } from "../core/SnapshotSource.js"
import { peerDeskOf, tlsMaterial, type LanIdentity } from "./lanTls.js"

export interface LanSnapshotSourceOptions {
  /** the peer must answer (its response headers) within this long; default 10 s */
  answerMs?: number
  /** the whole download; default 300 s */
  downloadMs?: number
  /** desks refused as peers (revoked, as this desk last heard) */
  revoked?: () => ReadonlySet<string>
}

/**
 * A LAN peer of the clinic as a bootstrap source (issue 15): the relay's two requests, over mutual
 * TLS to the peer's LAN port. This desk presents its certificate; the peer's must be issued by the
 * clinic CA (the only trust anchor) to a desk of our clinic that is not revoked, whatever its host
 * name. What it serves is checked like the relay's snapshot (Bootstrapper, SnapshotApplier).
 */
export class LanSnapshotSource implements SnapshotSource {
  readonly kind = "lan"
  readonly name: string
  readonly #address: string
  readonly #id: LanIdentity
  readonly #o: LanSnapshotSourceOptions

  constructor(address: string, id: LanIdentity, o: LanSnapshotSourceOptions = {}) {
    this.#address = address
    this.#id = id
    this.#o = o
    this.name = `LAN peer ${address}`
  }

  async snapshot(signal?: AbortSignal): Promise<Readable> {
    const res = await this.#get("snapshot", signal)
    // pipeline, not pipe: the response's error (an abort) reaches the gunzip its reader listens to
    return res.headers["content-encoding"] === "gzip" ? pipeline(res, createGunzip(), () => undefined) : res
  }

  async documents(signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.#get("documents", signal)
    const parts: Buffer[] = []
    for await (const part of res as AsyncIterable<Buffer>) parts.push(part)
    return Buffer.concat(parts)
  }

  #get(what: "snapshot" | "documents", signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const { clinicId } = this.#id
    const url = new URL(`https://${this.#address}/clinics/${encodeURIComponent(clinicId)}/${what}`)
    const answerMs = this.#o.answerMs ?? 10_000
    const download = AbortSignal.timeout(this.#o.downloadMs ?? 300_000)
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = https.request(url, {
        method: "GET",
        agent: false,
        ...tlsMaterial(this.#id),
        minVersion: "TLSv1.3",
        signal: signal ? AbortSignal.any([signal, download]) : download,
        // the peer's certificate names our clinic and a desk not revoked (its host name means nothing)
        checkServerIdentity: (_host, cert) => {
          const peer = peerDeskOf(cert, clinicId)
          if (peer === undefined) return new Error(`${this.#address} is not a desk of clinic ${clinicId}`)
          if (this.#o.revoked?.().has(peer)) return new Error(`${this.#address} (${peer}) is a revoked desk`)
          return undefined
        },
      })
      const timer = setTimeout(() => req.destroy(new Error(`${this.name} did not answer within ${answerMs} ms`)), answerMs)
      req.on("response", res => {
        clearTimeout(timer)
        if (res.statusCode === 200) return resolve(res)
        const parts: Buffer[] = []
        res.on("data", (b: Buffer) => parts.push(b))
        res.on("end", () => reject(new Error(`${what} from ${this.name}: HTTP ${res.statusCode} ${Buffer.concat(parts).toString("utf8")}`)))
        res.on("error", reject)
      })
      req.on("error", e => {
        clearTimeout(timer)
        reject(e)
      })
      req.end()
    })
  }
}
