import * as A from "@automerge/automerge"

/** Automerge's own symbols for a document root's hidden state and object id (`Symbol.for`, so shared). */
export const STATE = Symbol.for("_am_meta")
const OBJECT_ID = Symbol.for("_am_objectId")

/** What leanDoc uses of Automerge's wasm document: the method that brings the JS document up to date. */
interface Progressing {
  updateDiffCursor(): void
  diffIncremental(): unknown[]
  applyAndReturnPatches(object: unknown, meta: object): { value: unknown; patches: unknown[] }
}

const leanBackends = new WeakSet<object>()

/** A document root holding Automerge's state and nothing else, as Automerge's own roots hold it. */
const leanRoot = (meta: object): object => {
  const root = {}
  Object.defineProperty(root, STATE, { value: meta, enumerable: false })
  Object.defineProperty(root, OBJECT_ID, { value: "_root", enumerable: false })
  return root
}

/** A lean document's replacement of the method that patches the JS copy: a fresh lean root, and the incremental patches. */
function leanApply(this: Progressing, _object: unknown, meta: object): { value: unknown; patches: unknown[] } {
  return { value: leanRoot(meta), patches: this.diffIncremental() }
}

/**
 * The same document, and every later version of it, without its contents as JavaScript values:
 * a root that holds only Automerge's state, whose wasm document stays whole. Automerge's `load`
 * materialises every value (15-25 MB of JS heap for a seed-scale client shard) and each change,
 * load or sync message after it computes patches and applies them to that copy; a lean document
 * skips the copy (applying one change: 0.5 ms against 1.1 ms for a seed-scale client shard).
 * Everything Automerge does from its wasm document works as before: heads, sync, save and
 * saveSince, changes, diff, `A.toJS` (which reads the contents from wasm when asked).
 * What does not: reading fields from the root (it has none; `contentsOf` reads them), and
 * `A.clone`, whose copy is a plain document with a root as empty. For a process that only relays,
 * stores and hashes documents, as the relay's main thread does.
 *
 * How: the wasm document's method that patches the JS copy (`applyAndReturnPatches`, used by
 * every change, load and sync message) is replaced on this one instance by one that returns a
 * fresh lean root with Automerge's new state (the other, `applyPatches`, serves only `A.clone`,
 * on the clone's new wasm document). It still computes the patches (Automerge's incremental diff,
 * from its patch log) and returns them: Automerge keeps them for `A.diff`, which automerge-repo
 * asks after every change to decide whether to sync it; without them, that diff is computed from
 * the whole document (17 ms against 0.01 ms for a seed-scale client shard). The instance keeps
 * the replacement for the document's life; other documents are untouched.
 */
export const leanDoc = <T>(doc: A.Doc<T>): A.Doc<T> => {
  const backend = A.getBackend(doc) as unknown as Progressing
  if (!leanBackends.has(backend)) {
    backend.applyAndReturnPatches = leanApply
    leanBackends.add(backend)
    backend.updateDiffCursor()
  }
  // the root Automerge would have made, with the same state; without the last patches Automerge
  // keeps as a cache for A.diff (after a load, every value of the document once more)
  const { mostRecentPatch: _patches, ...state } = Reflect.get(doc, STATE) as { mostRecentPatch?: unknown }
  return leanRoot(state) as A.Doc<T>
}

/**
 * An empty lean document to load a stored one into (`A.loadIncremental`): that load makes no
 * patches, and every later step of the document makes leanDoc's. A load's patches list every value
 * of the document (some 10 MB of JS objects for a seed-scale client shard), and Automerge keeps
 * them on the loaded document for `A.diff` until its next change. Without them `A.diff` across the
 * load is computed from the document when asked, and answers the same. automerge-repo, loading into
 * this (StorageSubsystem's `initDoc`, patches/@automerge+automerge-repo), asks for it only when a
 * listener reads its `change` event's patches (the same patch), which none of the relay's does.
 * For the relay's loads.
 */
export const leanLoadTarget = <T>(): A.Doc<T> => {
  const doc = leanDoc(A.init<T>())
  const backend = A.getBackend(doc) as unknown as Progressing
  backend.applyAndReturnPatches = function (this: Progressing, _object: unknown, meta: object) {
    backend.applyAndReturnPatches = leanApply
    this.updateDiffCursor()
    return { value: leanRoot(meta), patches: [] }
  }
  return doc
}

/** Whether the document is lean (leanDoc): its root has no fields to read. */
export const isLeanDoc = (doc: A.Doc<unknown>): boolean => leanBackends.has(A.getBackend(doc))

/** The document's contents as plain values: read from wasm for a lean document, the document itself otherwise. */
export const contentsOf = <T>(doc: A.Doc<T>): T => (isLeanDoc(doc) ? A.toJS(doc) : doc)
