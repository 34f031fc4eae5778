import type { DocumentId, Repo } from "@automerge/automerge-repo"

/**
 * Drops a document from a Repo's memory and leaves what storage holds of it as it is. Call it once
 * the document is written (`repo.flush([id])`).
 *
 * automerge-repo 2.5.6's `removeFromCache` unloads the handle, which empties its document
 * (`A.init()`); the handle's own listeners take that for a change. The Repo's save listener then
 * saved the empty document, 100 ms later: for a small document that is a compaction, which wrote
 * an empty snapshot and deleted every chunk the document had (automerge-repo issue #435, open).
 * The relay lost documents this way when it unloaded them (idle, or on losing or taking a clinic's
 * lease, in storage other relays share), and the desk when it unloaded one. The handle leaves with
 * no listener, so nothing sees the emptying.
 */
export const unloadFromRepo = async (repo: Repo, id: DocumentId): Promise<void> => {
  const handle = repo.handles[id]
  if (handle) {
    handle.removeAllListeners("heads-changed")
    handle.removeAllListeners("change")
  }
  // the one call allowed: its listeners are gone
  // eslint-disable-next-line no-restricted-properties
  await repo.removeFromCache(id)
}
