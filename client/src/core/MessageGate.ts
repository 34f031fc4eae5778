import type { Message } from "@automerge/automerge-repo"

/**
 * Holds back incoming messages of the documents it is told to, until released. The desk's
 * DocStore holds a document while it unloads it: in automerge-repo 2.5.6 a sync message whose
 * handling spans `removeFromCache` gives the *old* handle a fresh DocSynchronizer, after which
 * the document's new handle is never synchronized and incoming changes land in a handle nobody
 * reads (records then differ between desks, and local writes are never uploaded).
 */
export class MessageGate {
  readonly #held = new Map<string, { deliver: (m: Message) => void; message: Message }[]>()

  hold(documentId: string): void {
    if (!this.#held.has(documentId)) this.#held.set(documentId, [])
  }

  /** Delivers what arrived meanwhile, in order, and lets later messages through. */
  release(documentId: string): void {
    const queued = this.#held.get(documentId)
    this.#held.delete(documentId)
    for (const q of queued ?? []) q.deliver(q.message)
  }

  /** Delivers now, or queues while the message's document is held. */
  pass(message: Message, deliver: (m: Message) => void): void {
    const id = "documentId" in message ? message.documentId : undefined
    const queue = id !== undefined ? this.#held.get(id) : undefined
    if (queue) queue.push({ deliver, message })
    else deliver(message)
  }
}
