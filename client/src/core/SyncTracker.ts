import * as A from "@automerge/automerge"
import type { PeerId } from "@automerge/automerge-repo"
import { changedRecordsBetween, hasAllHeads, type AnyClinicDoc, type DocKey, sameHeads } from "@vetsync/shared"
import type { SyncLedger } from "./readmodel/SyncLedger.js"
import { RelayAnnouncer } from "./RelayAnnouncer.js"
import type { ClinicHandle, DocStore } from "./DocStore.js"

import { isRelayPeer, peerKind } from "./peerKinds.js"

export { isRelayPeer, peerKind } from "./peerKinds.js"

/**
 * Honest sync status, derived from the connection's peer events and the relay's heads:
 * - online: a relay peer is connected (peer-candidate / peer-disconnected), whatever other peers there are;
 * - waiting records: for each document with local changes, the records changed between the heads the
 *   relay acknowledged as durable (its `durable` frames, persisted) and the document's heads
 *   (Automerge.diff). The sync protocol's own heads (remote-heads) are not an acknowledgement: the
 *   relay answers with them before its copy reaches its disk;
 * - which documents have unacknowledged changes is persisted with the count, so a restarted desk
 *   reports the right number before the relay answers, and reopens (so pushes) those documents.
 */
export class SyncTracker {
  readonly #docs: DocStore
  readonly #ledger: SyncLedger
  readonly #peers = new Set<string>()
  readonly #waiting = new Map<string, number>()
  readonly #attached = new WeakSet<ClinicHandle>()
  /**
   * Per document: the records counted as waiting, between which acknowledged heads and which
   * heads. A document's history only grows, so while the acknowledgement stays the same the next
   * count diffs only the changes since the last one: offline, a write costs one change's diff,
   * not a diff of everything since the relay last acknowledged.
   */
  readonly #counted = new Map<string, { acked: string; heads: A.Heads; records: Set<string> }>()
  #onChange: () => void
  /** tells the relay the heads of documents it holds the same as this desk but never heard this desk hold */
  readonly announcer: RelayAnnouncer
  readonly #debug: ((line: string) => void) | undefined
  /** called when a relay connection opens */
  onRelayUp: () => void = () => undefined

  constructor(docs: DocStore, ledger: SyncLedger, onChange: () => void, debug?: (line: string) => void) {
    this.#docs = docs
    this.#ledger = ledger
    this.#onChange = onChange
    this.#debug = debug
    this.announcer = new RelayAnnouncer({
      repo: docs.repo,
      acknowledged: (documentId, doc) => this.acknowledges(documentId, doc),
      ...(debug ? { debug } : {}),
    })
    for (const d of ledger.dirtyDocs()) this.#waiting.set(d.docId, d.waiting)
    const net = docs.repo.networkSubsystem
    net.on("peer", ({ peerId }) => this.#peerUp(peerId))
    net.on("peer-disconnected", ({ peerId }) => this.#peerDown(peerId))
  }

  get online(): boolean {
    for (const p of this.#peers) if (isRelayPeer(p)) return true
    return false
  }

  peers(): { peerId: string; kind: "relay" | "desk" | "other" }[] {
    return [...this.#peers].map(peerId => ({ peerId, kind: peerKind(peerId) }))
  }

  waitingRecords(): number {
    let n = 0
    for (const v of this.#waiting.values()) n += v
    return n
  }

  /** Documents that hold unacknowledged changes (to open at start so they are pushed). */
  dirtyKeys(): DocKey[] {
    return this.#ledger.dirtyDocs().map(d => d.key as DocKey)
  }

  /** Counts a newly opened document's waiting records. */
  attach(key: DocKey, handle: ClinicHandle): void {
    if (this.#attached.has(handle)) return
    this.#attached.add(handle)
    this.recount(key, handle)
  }

  /** The relay has `heads` of the document on its disk (a `durable` frame). */
  durable(documentId: string, heads: string[]): void {
    const now = new Date().toISOString()
    this.#debug?.(`durable ${documentId} ${heads.map(h => h.slice(0, 8)).join(",")}`)
    this.#ledger.setRelayHeads(documentId, heads, now)
    const key = this.#docs.layout.keyOf(documentId as ClinicHandle["documentId"])
    const handle = key ? this.#docs.handleOf(key) : undefined
    if (key && handle) this.recount(key, handle)
    if (this.waitingRecords() === 0 && this.online) this.#ledger.setLastSyncedAt(now)
  }

  /**
   * The relay's durable frames that arrived together (DurableBatch), written in one transaction.
   * A frame that fails does not undo the others; the first failure is thrown once they are written.
   */
  durableAll(frames: readonly { documentId: string; heads: string[] }[]): void {
    let failed: { e: unknown } | undefined
    this.#ledger.transaction(() => {
      for (const f of frames)
        try {
          this.durable(f.documentId, f.heads)
        } catch (e) {
          failed ??= { e }
        }
    })
    if (failed) throw failed.e
  }

  /** Records that a local change is about to be written (before it reaches the disk). */
  beforeLocalChange(key: DocKey, docId: string): void {
    const n = (this.#waiting.get(docId) ?? 0) + 1
    this.#ledger.markDirty(docId, key, n)
  }

  /** Recomputes the waiting records of one document from the relay's acknowledged heads. */
  recount(key: DocKey, handle: ClinicHandle): void {
    if (!handle.isReady()) return
    const doc = handle.doc() as A.Doc<AnyClinicDoc> | undefined
    if (!doc) return
    const docId = handle.documentId
    const acked = (this.#ledger.getRelayHeads(docId) ?? []).filter(h => hasAllHeads(doc, [h]))
    const heads = A.getHeads(doc)
    const ackedKey = [...acked].sort().join(",")
    const prev = this.#counted.get(docId)
    let records: Set<string>
    if (sameHeads(acked, heads)) records = new Set()
    else if (prev && prev.acked === ackedKey && hasAllHeads(doc, prev.heads)) {
      records = prev.records
      if (!sameHeads(prev.heads, heads))
        for (const r of changedRecordsBetween(doc, prev.heads, heads)) records.add(`${r.collection}/${r.id}`)
    } else records = new Set(changedRecordsBetween(doc, acked, heads).map(r => `${r.collection}/${r.id}`))
    this.#counted.set(docId, { acked: ackedKey, heads, records })
    const n = records.size
    const before = this.#waiting.get(docId)
    if (n === 0) {
      if (before !== undefined) this.#ledger.clearDirty(docId)
      this.#waiting.delete(docId)
    } else {
      this.#ledger.markDirty(docId, key, n)
      this.#waiting.set(docId, n)
    }
    if (before !== n) {
      if (n === 0 && this.waitingRecords() === 0 && this.online) this.#ledger.setLastSyncedAt(new Date().toISOString())
      this.#onChange()
    }
  }

  /** The relay has acknowledged every change of this document that this desk has. */
  isSettled(handle: ClinicHandle): boolean {
    if (this.#waiting.has(handle.documentId)) return false
    const acked = this.#ledger.getRelayHeads(handle.documentId)
    if (!handle.isReady()) return false
    const doc = handle.doc() as A.Doc<AnyClinicDoc> | undefined
    return (
      acked !== undefined &&
      doc !== undefined &&
      sameHeads(
        A.getHeads(doc),
        acked.filter(h => hasAllHeads(doc, [h])),
      )
    )
  }

  /** The relay has acknowledged as durable every change of `doc` (whether or not it is open here). */
  acknowledges(documentId: string, doc: A.Doc<unknown>): boolean {
    const acked = this.#ledger.getRelayHeads(documentId)
    return acked !== undefined && sameHeads(A.getHeads(doc), acked.filter(h => hasAllHeads(doc, [h])))
  }

  lastSyncedAt(): string | null {
    return this.#ledger.lastSyncedAt() ?? null
  }

  close(): void {
    this.announcer.close()
  }

  #peerUp(peerId: PeerId): void {
    this.#peers.add(peerId)
    if (isRelayPeer(peerId)) this.onRelayUp()
    this.#onChange()
  }

  #peerDown(peerId: PeerId): void {
    this.#peers.delete(peerId)
    this.#onChange()
  }
}
