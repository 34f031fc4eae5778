import * as A from "@automerge/automerge"
import type { DocumentId, PeerId, Repo } from "@automerge/automerge-repo"
import { sameHeads } from "@vetsync/shared"
import { isRelayPeer } from "./peerKinds.js"
import { syncStateOf } from "./syncStateOf.js"

export interface RelayAnnouncerOptions {
  repo: Repo
  /** the relay has acknowledged as durable every change of the document in these heads */
  acknowledged: (documentId: DocumentId, doc: A.Doc<unknown>) => boolean
  /** how long after the relay's message the desk looks (a durable acknowledgement usually arrives first); default 250 ms */
  delayMs?: number
  /** a line for VETSYNC_DEBUG */
  debug?: (line: string) => void
}

/**
 * Tells the relay the heads of a document that this desk took from a LAN peer while the relay had
 * them already, so that the relay acknowledges them as durable (issue 15).
 *
 * The relay acknowledges heads a desk announces in its sync messages. Automerge's sync protocol
 * sends nothing when both ends hold the same heads: a desk that received a change over the LAN,
 * then the relay's message naming exactly those heads (the author's upload reached the relay
 * first), answers nothing, so the relay never heard this desk hold them and never acknowledged
 * them; the desk kept the change's record "waiting" for good. Here, after any relay message that
 * leaves the relay's heads equal to the desk's while the relay has not acknowledged them, the desk
 * sends the relay one small sync message of its own (heads, a bloom filter of nothing since them)
 * outside automerge-repo's synchronizer: the relay's copy already holds every change, so it only
 * notes the heads, writes and acknowledges them. Once per heads and relay connection.
 */
export class RelayAnnouncer {
  readonly #o: RelayAnnouncerOptions
  /** per document: the relay peer and the heads its last message named */
  readonly #relayHeads = new Map<DocumentId, { peerId: PeerId; heads: A.Heads }>()
  /** per document: the heads announced to the relay this connection */
  readonly #announced = new Map<DocumentId, string>()
  readonly #timers = new Map<DocumentId, ReturnType<typeof setTimeout>>()
  #closed = false
  /** announcements sent */
  sent = 0

  constructor(o: RelayAnnouncerOptions) {
    this.#o = o
    o.repo.synchronizer.on("sync-state", ({ peerId, documentId, syncState }) => {
      if (!isRelayPeer(peerId) || !syncState.theirHeads) return
      this.#relayHeads.set(documentId, { peerId, heads: syncState.theirHeads })
      this.#schedule(documentId)
    })
    o.repo.networkSubsystem.on("peer-disconnected", ({ peerId }) => {
      if (!isRelayPeer(peerId)) return
      for (const [doc, r] of this.#relayHeads)
        if (r.peerId === peerId) {
          this.#relayHeads.delete(doc)
          this.#announced.delete(doc)
        }
    })
  }

  close(): void {
    this.#closed = true
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
  }

  #schedule(documentId: DocumentId): void {
    if (this.#closed || this.#timers.has(documentId)) return
    const timer = setTimeout(() => {
      this.#timers.delete(documentId)
      this.#check(documentId)
    }, this.#o.delayMs ?? 250)
    timer.unref()
    this.#timers.set(documentId, timer)
  }

  #check(documentId: DocumentId): void {
    const relay = this.#relayHeads.get(documentId)
    const handle = this.#o.repo.handles[documentId]
    if (this.#closed || !relay || !handle?.isReady()) return
    const doc = handle.doc() as A.Doc<unknown>
    const heads = A.getHeads(doc)
    if (heads.length === 0 || !sameHeads(heads, relay.heads) || this.#o.acknowledged(documentId, doc)) return
    const key = [...heads].sort().join(",")
    if (this.#announced.get(documentId) === key) return
    this.#announced.set(documentId, key)
    const [, data] = A.generateSyncMessage(doc, A.decodeSyncState(syncStateOf(heads)))
    if (!data) return
    this.#o.debug?.(`announcing ${documentId} heads ${heads.map(h => h.slice(0, 8)).join(",")} to ${relay.peerId}`)
    this.sent++
    this.#o.repo.networkSubsystem.send({ type: "sync", targetId: relay.peerId, documentId, data })
  }
}
