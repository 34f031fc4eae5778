import { hasAllHeads } from "@vetsync/shared/docs"
import type { DocHandle, DocumentId, PeerId, Repo } from "@automerge/automerge-repo"
import type { LineLog } from "@vetsync/shared/log"

export interface DurableAcksOptions {
  repo: Repo
  /** sends `durable` to a connected peer */
  send: (peerId: PeerId, documentId: DocumentId, heads: string[]) => void
  log: LineLog
  /** wait this long after a message before flushing, so a burst is written once; default 10 ms */
  debounceMs?: number
}

/**
 * "Acknowledged" means durable on the relay. automerge-repo answers a desk's sync message with the
 * relay's heads as soon as the changes are in memory, and saves them to disk up to 100 ms later
 * (throttled): a relay killed in between loses what the desk was told it had. So desks do not take
 * the sync protocol's heads as an acknowledgement. Instead, for every sync message a desk sends,
 * the relay remembers the heads the desk announced; once its copy of the document holds all of them
 * and has been flushed to disk (fsync), it sends that desk `durable` with those heads, which are
 * hashes the desk knows. A document whose heads change is flushed again and every waiting desk told.
 */
export class DurableAcks {
  readonly #o: DurableAcksOptions
  /** per document: each interested peer's heads not yet acknowledged as durable */
  readonly #waiting = new Map<DocumentId, Map<PeerId, string[]>>()
  readonly #timers = new Map<DocumentId, ReturnType<typeof setTimeout>>()
  readonly #running = new Map<DocumentId, Promise<void>>()
  readonly #again = new Set<DocumentId>()
  readonly #watched = new WeakSet<DocHandle<unknown>>()
  #closed = false
  /** acknowledgements sent */
  sent = 0

  constructor(o: DurableAcksOptions) {
    this.#o = o
  }

  /** A desk sent a sync message announcing `heads` for the document. */
  note(peerId: PeerId, documentId: DocumentId, heads: string[]): void {
    if (this.#closed || heads.length === 0) return
    let peers = this.#waiting.get(documentId)
    if (!peers) this.#waiting.set(documentId, (peers = new Map<PeerId, string[]>()))
    peers.set(peerId, heads)
    this.#schedule(documentId)
  }

  /** A write of the document for an acknowledgement is due or running: it must stay loaded. */
  busy(documentId: DocumentId): boolean {
    return this.#timers.has(documentId) || this.#running.has(documentId)
  }

  /** The peer disconnected: nothing more is sent to it. */
  forget(peerId: PeerId): void {
    for (const [doc, peers] of this.#waiting) {
      peers.delete(peerId)
      if (peers.size === 0) this.#waiting.delete(doc)
    }
  }

  /** Stops; cycles in flight finish (their flush is wanted anyway). */
  async close(): Promise<void> {
    this.#closed = true
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
    await Promise.allSettled([...this.#running.values()])
  }

  #schedule(documentId: DocumentId): void {
    if (this.#closed || this.#timers.has(documentId)) return
    if (this.#running.has(documentId)) {
      this.#again.add(documentId)
      return
    }
    this.#timers.set(
      documentId,
      setTimeout(() => {
        this.#timers.delete(documentId)
        const run = this.#cycle(documentId)
          .catch(e => this.#o.log(`durable acknowledgement of ${documentId} failed: ${(e as Error).message}`))
          .finally(() => {
            this.#running.delete(documentId)
            if (this.#again.delete(documentId)) this.#schedule(documentId)
          })
        this.#running.set(documentId, run)
      }, this.#o.debounceMs ?? 10),
    )
  }

  async #cycle(documentId: DocumentId): Promise<void> {
    const peers = this.#waiting.get(documentId)
    if (!peers || peers.size === 0) return
    const handle = await this.#o.repo.find<unknown>(documentId, { allowableStates: ["ready"] })
    if (!this.#watched.has(handle)) {
      this.#watched.add(handle)
      // changes that arrive after this cycle read the document (or that were still being applied)
      handle.on("heads-changed", () => {
        if (this.#waiting.get(documentId)?.size) this.#schedule(documentId)
      })
    }
    const doc = handle.doc()
    // flush writes (and fsyncs) the document as it is now; after it, `doc` is on disk
    await this.#o.repo.flush([documentId])
    for (const [peerId, heads] of [...peers]) {
      if (!hasAllHeads(doc, heads)) continue
      // a newer announcement replaced this one while flushing: it is checked on the next cycle
      if (peers.get(peerId) !== heads) continue
      peers.delete(peerId)
      this.#o.send(peerId, documentId, heads)
      this.sent++
    }
    if (peers.size === 0) this.#waiting.delete(documentId)
  }
}
