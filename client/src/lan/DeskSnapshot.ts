import * as A from "@automerge/automerge"
import { encodeHeads } from "@automerge/automerge-repo"
import {
  hasAllHeads,
  assembleSnapshotGz,
  bundleEntry,
  bundleStart,
  isDocKey,
  snapshotPart,
  type AnyClinicDoc,
  type DocKey,
  type RootDoc,
  type SnapshotPart,
} from "@vetsync/shared"
import type { DeskCore } from "../core/DeskCore.js"

/** What a LAN server asks of the desk behind it to serve its clinic's snapshot (LanServer). */
export interface LanSnapshotProvider {
  /** false while this desk has not got its whole clinic itself (its own bootstrap is not done) */
  ready(): boolean
  /** the snapshot, gzip NDJSON, as the relay's `GET /clinics/:id/snapshot` */
  snapshot(): Promise<Buffer>
  /** the bundle of whole documents, as the relay's `GET /clinics/:id/documents`: its bytes as they are made, one document at a time */
  documents(): AsyncIterable<Buffer>
}

/**
 * A desk's clinic snapshot for a new LAN peer (issue 15), in the relay's format, built from the
 * documents this desk holds: each read on its own (records and heads together), one at a time, so
 * each line reflects exactly the heads the header gives for its document. The header also says,
 * per document, what the relay acknowledged to this desk (`acked`): the new desk counts the rest
 * as records waiting. Served only once this desk's own bootstrap is done.
 */
export class DeskSnapshot implements LanSnapshotProvider {
  readonly #core: DeskCore

  constructor(core: DeskCore) {
    this.#core = core
  }

  ready(): boolean {
    return this.#core.status().bootstrap.phase === "done"
  }

  async snapshot(): Promise<Buffer> {
    const parts: SnapshotPart[] = []
    const acked: Partial<Record<DocKey, string[]>> = {}
    for (const key of await this.#keys()) {
      const read = await this.#core.docs.use(key, handle => this.#part(key, handle.doc(), [...handle.heads()]))
      if (!read) continue
      parts.push(read.part)
      if (read.acked) acked[key] = read.acked
    }
    return assembleSnapshotGz(this.#core.opts.clinicId, parts, new Date().toISOString(), acked)
  }

  /** The bundle, streamed: each document saved and handed on alone, so no more than one is held at a time. */
  async *documents(): AsyncGenerator<Buffer> {
    // the documents listed first: a failure then still answers an error, before any byte is sent
    const keys = await this.#keys()
    yield bundleStart()
    for (const key of keys)
      yield* bundleEntry(await this.#core.docs.use(key, handle => ({ key, docId: handle.documentId, bytes: A.save(handle.doc()) })))
  }

  /** The clinic's documents on this desk: the root first, then every other the layout and the root name. */
  async #keys(): Promise<DocKey[]> {
    const docs = this.#core.docs
    await docs.use("root", handle => {
      for (const p of Object.keys((handle.doc() as RootDoc).partitions ?? {})) if (isDocKey(p)) docs.layout.add(p)
    })
    const rest = docs.layout.keys().filter(k => k !== "root" && (docs.isLocal(k) || docs.isOpen(k)))
    return ["root", ...rest]
  }

  /** One document's part (assembleSnapshotGz, as the relay's) and the heads the relay acknowledged to this desk of it. */
  async #part(key: DocKey, doc: AnyClinicDoc, heads: string[]): Promise<{ part: SnapshotPart; acked: string[] | undefined } | undefined> {
    const docId = this.#core.docs.layout.idOf(key)
    const relay = this.#core.rm.ledger.getRelayHeads(docId)
    const part = await snapshotPart(key, docId, doc, heads)
    return part && { part, acked: relay ? [...encodeHeads(relay.filter(h => hasAllHeads(doc, [h])))] : undefined }
  }
}
