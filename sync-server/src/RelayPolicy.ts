import * as A from "@automerge/automerge"
import type { DocumentId, PeerId } from "@automerge/automerge-repo"
import { genesisDoc } from "@vetsync/shared"
import type { Identity } from "./Authenticator.js"
import type { DocOwnership } from "./DocOwnership.js"
import { carriesOnly, type AutomergeChunk, type DocFrame } from "@vetsync/shared/net"
import { isServerOwned } from "./serverOwned.js"
import { servesOneClinic } from "./serviceScope.js"
import type { LineLog } from "@vetsync/shared/log"

export interface RelayPolicyOptions {
  ownership: DocOwnership
  identityOf: (peerId: PeerId) => Identity | undefined
  /** tells a peer why its message was dropped */
  tell: (peerId: PeerId, text: string) => void
  /** an authenticated identity was seen sending (the registry's last-seen) */
  seen?: (identity: Identity) => void
  /** a document's frame carried changes: the clinic's snapshot is stale */
  changed: (clinicId: string, docId: DocumentId) => void
  /** a desk announced heads of a document it may access: tell it once they are on disk */
  announced: (peerId: PeerId, docId: DocumentId, heads: string[]) => void
  /** asks the repo to run `announce` again for these changed documents and every peer */
  reannounce: (docIds: DocumentId[]) => void
  /** gives the document a fresh synchronizer (every peer's sync state reloaded, nothing "already sent") */
  resync: (docId: DocumentId) => void
  /** how long a peer that left is remembered for a rejoin; default 30 min */
  forgetPeersAfterMs?: number
  log: LineLog
}

const FORGET_PEERS_AFTER_MS = 30 * 60_000

/**
 * What the relay lets through, in one place:
 * - access: a desk reads and writes only its own clinic's documents, a service every clinic's (one
 *   naming a clinic: that clinic's);
 * - ownership: a desk's first heads of a document claim it for the desk's clinic;
 * - the server-owned rule: a desk's changes to the price list, rejections, clinic profile or staff beyond their
 *   genesis are dropped (the bridge writes them), and the desk is told why;
 * - the announce policy: a service is sent every document; a desk is sent a document that
 *   changed while it was connected (it asks for the rest itself, by their heads).
 */
export class RelayPolicy {
  readonly #o: RelayPolicyOptions
  readonly #genesisHashes = new Map<string, string>()
  readonly #joinedAt = new Map<string, number>()
  readonly #changedAt = new Map<string, number>()
  #reannounce: ReturnType<typeof setTimeout> | undefined
  /** documents changed since the last reannounce */
  readonly #toAnnounce = new Set<DocumentId>()
  #closed = false
  /** per peer id: how many times it joined, and the join in which it last sent each document */
  readonly #sessions = new Map<string, number>()
  readonly #lastSession = new Map<string, Map<string, number>>()
  /** peers that left, until they are forgotten */
  readonly #forget = new Map<string, ReturnType<typeof setTimeout>>()
  /** documents given a fresh synchronizer because a peer came back to them */
  resyncs = 0
  /** sync messages of desks that carried changes to server-owned documents, dropped */
  droppedDeskChanges = 0

  constructor(o: RelayPolicyOptions) {
    this.#o = o
  }

  /** The automerge-repo share configuration: who is sent and who may ask for what. */
  readonly shareConfig = {
    announce: async (peerId: PeerId, docId?: DocumentId): Promise<boolean> => {
      if (!this.mayAccess(peerId, docId)) return false
      if (this.#o.identityOf(peerId)?.role === "service") return true
      return docId !== undefined && (this.#changedAt.get(docId) ?? 0) >= (this.#joinedAt.get(peerId) ?? Infinity)
    },
    access: async (peerId: PeerId, docId?: DocumentId): Promise<boolean> => this.mayAccess(peerId, docId),
  }

  /** Decides on one document frame of an authenticated socket: true lets it through. */
  inspect(identity: Identity, frame: DocFrame): boolean {
    const docId = frame.message.documentId
    const sender = frame.message.senderId
    const { ownership } = this.#o
    this.#o.seen?.(identity)
    if (identity.role === "desk" && frame.heads.length > 0) ownership.claim(docId, identity.clinicId)
    if (identity.role === "desk" && frame.chunks.length > 0 && this.#writesServerOwned(docId, frame.chunks)) {
      this.droppedDeskChanges++
      this.#o.log(`dropped changes of ${sender} to server-owned ${docId}`)
      this.#o.tell(
        sender,
        `changes to ${docId} dropped: the price list, rejections, clinic profile and staff are written by the bridge only`,
      )
      return false
    }
    if (frame.type === "sync" && frame.chunks.length > 0) {
      // only frames that carry changes can make the snapshot stale (heads exchanges cannot)
      const owner = ownership.ownerOf(docId)
      if (owner !== undefined) this.#o.changed(owner, docId)
      this.#noteChange(docId)
    }
    if (identity.role === "desk" && frame.type === "sync" && this.mayAccess(sender, docId))
      this.#o.announced(sender, docId, frame.heads)
    if (frame.type === "sync") this.#backAfterRejoin(sender, docId)
    return true
  }

  /**
   * A sync state remembers what was sent: a change the relay sent into a connection that died
   * unnoticed (a stalled network) is never sent again to that peer id, and automerge-repo keeps the
   * sync state in memory across the peer's reconnection (it resets it only when it announces the
   * document, which the relay does only for documents changed since the desk joined). A desk that
   * rejoined under the same peer id then stayed behind on that document for good, online with
   * nothing waiting (chaos seed 42). So the first time a peer talks about a document in a new
   * connection, and it had talked about it in an earlier one, the document gets a fresh synchronizer.
   */
  #backAfterRejoin(peerId: PeerId, docId: DocumentId): void {
    const session = this.#sessions.get(peerId) ?? 0
    let docs = this.#lastSession.get(peerId)
    if (!docs) this.#lastSession.set(peerId, (docs = new Map<string, number>()))
    const last = docs.get(docId)
    docs.set(docId, session)
    if (last === undefined || last === session) return
    this.resync(docId)
  }

  /**
   * A fresh synchronizer for the document: every peer's exchange of it starts over, with nothing
   * taken as "already sent". For a peer that came back (above), and for a desk that finds an open
   * document of its clinic lacking what the relay holds (its `POST /clinics/:id/resync`): a push
   * the desk never applied stays "sent" in the relay's sync state until this.
   */
  resync(docId: DocumentId): void {
    this.resyncs++
    this.#o.resync(docId)
  }

  mayAccess(peerId: PeerId, docId: DocumentId | undefined): boolean {
    const identity = this.#o.identityOf(peerId)
    if (!identity) return false
    if (!servesOneClinic(identity)) return true
    if (docId === undefined) return true
    return this.#o.ownership.ownerOf(docId) === identity.clinicId
  }

  joined(peerId: PeerId): void {
    clearTimeout(this.#forget.get(peerId))
    this.#forget.delete(peerId)
    this.#joinedAt.set(peerId, Date.now())
    this.#sessions.set(peerId, (this.#sessions.get(peerId) ?? 0) + 1)
  }

  /**
   * The peer's connection closed. What it talked about is kept for a while, for a rejoin under the
   * same peer id, then forgotten: a desk that restarts comes back under a new peer id, and the
   * relay would otherwise keep every old one for good. A peer back after that is healed by its own
   * comparison with the relay (POST /clinics/:id/resync) if a push to it was lost.
   */
  left(peerId: PeerId): void {
    this.#joinedAt.delete(peerId)
    clearTimeout(this.#forget.get(peerId))
    const timer = setTimeout(() => {
      this.#forget.delete(peerId)
      if (this.#joinedAt.has(peerId)) return
      this.#sessions.delete(peerId)
      this.#lastSession.delete(peerId)
    }, this.#o.forgetPeersAfterMs ?? FORGET_PEERS_AFTER_MS)
    timer.unref()
    this.#forget.set(peerId, timer)
  }

  /** Peers whose sessions the policy remembers (connected, or left less than forgetPeersAfterMs ago). */
  get rememberedPeers(): number {
    return this.#sessions.size
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#reannounce)
    for (const t of this.#forget.values()) clearTimeout(t)
    this.#forget.clear()
  }

  /**
   * True when the changes touch a server-owned document beyond its genesis change, which every
   * desk creates identically and may upload.
   */
  #writesServerOwned(docId: string, chunks: AutomergeChunk[]): boolean {
    const key = this.#o.ownership.layoutKeyOf(docId)
    const owner = this.#o.ownership.ownerOf(docId)
    if (key === undefined || owner === undefined || !isServerOwned(key)) return false
    let genesis = this.#genesisHashes.get(docId)
    if (genesis === undefined) {
      genesis = A.getHeads(genesisDoc(owner, key))[0] ?? ""
      this.#genesisHashes.set(docId, genesis)
    }
    return !carriesOnly(chunks, genesis)
  }

  /** A document changed: desks connected since before the change are now sent it (the changed documents, every 30 ms). */
  #noteChange(docId: DocumentId): void {
    this.#changedAt.set(docId, Date.now())
    this.#toAnnounce.add(docId)
    if (this.#reannounce || this.#closed) return
    this.#reannounce = setTimeout(() => {
      this.#reannounce = undefined
      const docIds = [...this.#toAnnounce]
      this.#toAnnounce.clear()
      if (!this.#closed) this.#o.reannounce(docIds)
    }, 30)
  }
}
