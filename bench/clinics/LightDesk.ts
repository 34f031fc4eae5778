import { randomBytes } from "node:crypto"
import { Repo, type DocHandle, type DocumentId, type PeerId } from "@automerge/automerge-repo"
import { ResilientWebSocketClientAdapter, imm, isLeanDoc, leanDoc, type ClientShardDoc } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"

/** What a light desk sees change: a client's phone in one of its documents. */
export type PhoneListener = (docId: DocumentId, clientId: string, phone: string) => void

/** The phone a patch puts, when it puts one (an ImmutableString, as desks write it). */
const phonePut = (p: { action: string; path: readonly unknown[]; value?: unknown }): string | undefined => {
  if (p.action !== "put" || p.path.length !== 3 || p.path[0] !== "clients" || p.path[2] !== "phone") return undefined
  const v = p.value
  return typeof v === "string" ? v : typeof v === "object" && v !== null && typeof (v as { val?: unknown }).val === "string" ? (v as { val: string }).val : undefined
}

/**
 * A simulated desk: an automerge-repo peer in memory (no SQLite, no storage) with the desks'
 * resilient WebSocket adapter and the credential the relay gave it at enrolment. It opens some of
 * its clinic's client shards, edits client phones in them and reports the phones it sees change.
 *
 * Its documents are lean (leanDoc, as the relay's) unless `lean` is false: fifty desks' two seed
 * client shards each, materialised, are 1-2 GB of JS heap in one desk process, whose full
 * collections stalled it for seconds, a delay a real desk (one per machine) does not add to the
 * relay's (VETSYNC_BENCH_LEAN_DESKS=0 keeps them materialised). A phone is read from the patch.
 */
export class LightDesk {
  readonly deskId: string
  readonly repo: Repo
  readonly #handles = new Map<DocumentId, DocHandle<ClientShardDoc>>()
  readonly #listeners: PhoneListener[] = []
  /** each opened document's client ids, read before it is made lean */
  readonly #clientIds = new Map<DocumentId, string[]>()
  readonly #lean: boolean
  /** documents asked for again after the relay had none to give (see #find) */
  reasked = 0

  constructor(syncUrl: string, deskId: string, credential: string, lean = true) {
    this.deskId = deskId
    this.#lean = lean
    const adapter = new ResilientWebSocketClientAdapter(syncUrl, {
      headers: { authorization: `Bearer ${credential}` },
      backoff: { minMs: 200, maxMs: 2_000 },
    })
    this.repo = new Repo({
      network: [adapter],
      peerId: `desk:${deskId}:${randomBytes(4).toString("hex")}` as PeerId,
      sharePolicy: async () => true,
    })
  }

  /** Finds the documents (through the relay) and follows their changes. */
  async open(ids: readonly DocumentId[]): Promise<void> {
    // a document asked for before the relay joined is "unavailable" at once (no storage, no peer)
    await eventually(`${this.deskId} to join the relay`, () => this.repo.peers.length > 0, 300_000, { pollMs: 50 })
    for (const id of ids) {
      const h = await this.#find(id)
      this.#handles.set(id, h)
      this.#clientIds.set(id, Object.keys(h.doc().clients))
      // the same heads: automerge-repo sees no change (as the relay's LeanHandles)
      if (this.#lean) h.update(d => (isLeanDoc(d) ? d : leanDoc(d)))
      h.on("change", ({ patches }) => {
        const told = new Set<string>()
        for (const p of patches) {
          const cid = p.path[1]
          const phone = phonePut(p)
          if (phone === undefined || typeof cid !== "string" || told.has(cid)) continue
          told.add(cid)
          for (const l of this.#listeners) l(id, cid, phone)
        }
      })
    }
  }

  /**
   * The document from the relay. A relay busy at start (building snapshots, loading documents) may
   * answer that it has none, or not answer before automerge-repo gives up on it (60 s): the handle
   * is then "unavailable" and stays so (automerge-repo 2.5.6 asks again only when a peer joins, and
   * its removeFromCache refuses a handle that is not ready). So the desk asks again, as the relay's
   * own resync does: a fresh synchronizer for the handle, whose first message is a request; at most
   * every 5 s, until the document is there or `deadlineMs` has passed.
   */
  async #find(id: DocumentId, deadlineMs = 600_000): Promise<DocHandle<ClientShardDoc>> {
    const h = await this.repo.find<ClientShardDoc>(id, { allowableStates: ["ready", "unavailable"] })
    let askedAt = 0
    return eventually(
      `${this.deskId} to get ${id} from the relay`,
      () => {
        if (h.isReady()) return h
        if (h.isUnavailable() && performance.now() - askedAt >= 5_000) {
          askedAt = performance.now()
          this.reasked++
          this.repo.synchronizer.removeDocument(id)
          this.repo.synchronizer.addDocument(h)
        }
        return false
      },
      deadlineMs,
      { pollMs: 100, describe: () => `handle ${h.state}, asked again ${this.reasked} times` },
    )
  }

  /** Some client ids of an opened document. */
  clientIds(id: DocumentId, n: number): string[] {
    const ids = this.#clientIds.get(id)
    if (!ids) throw new Error(`${this.deskId} has not opened ${id}`)
    return ids.slice(0, n)
  }

  onPhone(l: PhoneListener): void {
    this.#listeners.push(l)
  }

  /** One edit as a desk makes it: the phone, when and by whom. */
  edit(id: DocumentId, clientId: string, phone: string): void {
    const h = this.#handles.get(id)
    if (!h) throw new Error(`${this.deskId} has not opened ${id}`)
    h.change(d => {
      const c = d.clients[clientId]
      if (!c) throw new Error(`no client ${clientId} in ${id}`)
      c.phone = imm(phone)
      c.updatedAt = imm(new Date().toISOString())
      c.updatedBy = imm(this.deskId)
    })
  }

  async close(): Promise<void> {
    await this.repo.shutdown()
  }
}
