import * as A from "@automerge/automerge"

/** Two sets of document heads (hex change hashes) name the same document state. */
export const sameHeads = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every(h => b.includes(h))

/**
 * Whether `doc` holds every change named in `heads` (and so everything they depend on): what
 * `A.hasHeads` answers, without its cost. Automerge 3.5's `hasHeads` asks `getChangeByHash`,
 * which rebuilds the whole change from the op set: 25-30 ms for a seed-scale shard's import
 * change, and the relay's durable acknowledgements and the desk's sync tracking ask it of every
 * document a desk announces (the relay's event loop stalled 100-200 ms at a time on it with 20
 * clinics). The change's metadata is looked up in the change graph (0.1 ms), and is null for a
 * change the document does not hold, a change queued for its missing dependencies included.
 */
export const hasAllHeads = (doc: A.Doc<unknown>, heads: readonly string[]): boolean => {
  const backend = A.getBackend(doc)
  return heads.every(h => backend.getChangeMetaByHash(h) !== null)
}
