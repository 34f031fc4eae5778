import { getPriority, setPriority } from "node:os"
import { getHeapStatistics } from "node:v8"
import { parentPort, workerData } from "node:worker_threads"
import * as A from "@automerge/automerge"
import { encodeHeads } from "@automerge/automerge-repo"
import { WasmHeadroom, type AnyClinicDoc, type DocKey } from "@vetsync/shared"
import { isLeanDoc, leanDoc } from "@vetsync/shared/docs"
import { exactBuffer } from "./exactBytes.js"
import { makeEntry, type SnapshotEntry } from "./SnapshotEntry.js"

/**
 * A document as the relay's main thread hands it over: its stored chunks or a whole save (`binary`),
 * or the previous entry's save, the heads it reflects, and the changes since (`base` + `changes`:
 * what changed is small, saving the whole document again is not).
 */
export type DocBytes = { binary: Uint8Array } | { base: Uint8Array; baseHeads: string[]; changes: Uint8Array }

/** What the main thread asks: one document's snapshot entry (SnapshotEntry), made from its bytes. */
export interface EntryRequest {
  id: number
  key: DocKey
  docId: string
  chunks: string[]
  bytes: DocBytes
  /** the heads the main thread saw (automerge-repo UrlHeads): the entry must reflect exactly these */
  heads?: string[]
}

/** The entry (undefined: a document without a kind yet), or why it could not be made. */
export type EntryReply = ({ id: number; ok: true; entry: SnapshotEntry | undefined } | { id: number; ok: false; error: string }) & {
  /** the worker's V8 heap after the request (VETSYNC_DEBUG=memory) */
  heap?: { heapUsed: number; heapTotal: number }
}

/** The thread has loaded its modules and Automerge and takes requests: its first message. */
export interface EntryThreadReady {
  ready: true
  /** the thread's nice value once started (os.getPriority), and why it could not be set if it could not */
  nice: number
  niceError?: string
}

export type EntryThreadMessage = EntryReply | EntryThreadReady

export const isEntryThreadReady = (m: EntryThreadMessage): m is EntryThreadReady => "ready" in m && m.ready

const heapNow = (): { heapUsed: number; heapTotal: number } => {
  const h = getHeapStatistics()
  return { heapUsed: h.used_heap_size, heapTotal: h.total_heap_size }
}

/** What the worker thread is started with. */
export interface EntryThreadData {
  /**
   * the saved size (Automerge.save bytes) of the documents kept loaded between updates (the ones
   * desks are editing), at most; least recently used out first
   */
  keepBytes: number
  /** keep room in this thread's wasm memory (WasmHeadroom) */
  wasmHeadroom: boolean
  /** the nice value the thread gives itself before it takes requests (0: the process's own) */
  nice: number
}

const headsKey = (heads: readonly string[]): string => [...heads].sort().join(",")

/** Stored chunks (a snapshot and incrementals, concatenated) or a save; A.load is the faster, loadIncremental the lenient. */
const loadBytes = (bytes: Uint8Array): A.Doc<AnyClinicDoc> => {
  try {
    return A.load<AnyClinicDoc>(bytes)
  } catch {
    return A.loadIncremental(A.init<AnyClinicDoc>(), bytes)
  }
}

/**
 * Makes the entries of one thread: loads each document from its bytes, then does what makeEntry
 * does (save, records, JSON, gzip). The documents updated from their changes (those desks edit)
 * stay loaded while their saved sizes add up to at most `keepBytes`, so that the next update of one
 * applies only its new changes instead of loading it whole again; the others are freed at once.
 * A kept document is lean (leanDoc): whole in Automerge's wasm memory, without its values as
 * JavaScript objects (8 of the seeds' client shards, 1.9 MB saved, held 29 MB of heap
 * materialised besides their 21 MB of wasm memory). Its next entry reads it through a view at its
 * heads (A.view: materialised from wasm for that entry, then garbage), so the worker's heap holds
 * one document's values at a time, not every kept one's.
 * The bound is in bytes, not documents: a count let the cache of a clinic with big shards grow
 * past the relay's budget.
 */
export class EntryMakerState {
  readonly #keepBytes: number
  /** docId -> the loaded document, its heads (UrlHeads key) and saved size, most recently used last */
  readonly #docs = new Map<string, { doc: A.Doc<AnyClinicDoc>; heads: string; bytes: number }>()
  #keptBytes = 0

  constructor(keepBytes: number) {
    this.#keepBytes = Math.max(0, keepBytes)
  }

  /** documents kept loaded now */
  get kept(): number {
    return this.#docs.size
  }

  /** the saved size of the documents kept loaded now */
  get keptBytes(): number {
    return this.#keptBytes
  }

  /** whether every document kept is lean (none holds its values in this thread's heap) */
  get keptLean(): boolean {
    return [...this.#docs.values()].every(d => isLeanDoc(d.doc))
  }

  async make(req: Omit<EntryRequest, "id">): Promise<SnapshotEntry | undefined> {
    const b = req.bytes
    let doc: A.Doc<AnyClinicDoc>
    if ("binary" in b) {
      this.#drop(req.docId)
      doc = loadBytes(b.binary)
    } else {
      const kept = this.#take(req.docId)
      if (kept && kept.heads === headsKey(b.baseHeads)) doc = kept.doc
      else {
        if (kept) A.free(kept.doc)
        doc = A.load<AnyClinicDoc>(b.base)
      }
    }
    let keep = false
    try {
      if ("changes" in b && b.changes.length > 0) doc = A.loadIncremental(doc, b.changes)
      const heads = [...encodeHeads(A.getHeads(doc))]
      if (req.heads && headsKey(heads) !== headsKey(req.heads))
        throw new Error(`${req.docId}: the bytes give heads ${heads.join(",")}, not ${req.heads.join(",")}`)
      // a kept document is lean: its values are materialised for this entry only
      const values = isLeanDoc(doc) ? A.view(doc, A.getHeads(doc)) : doc
      const entry = await makeEntry(req.key, req.docId, values, heads, req.chunks)
      // a document without a kind yet (no entry) is not kept: nothing tells its size
      const size = entry?.saved.length
      keep = "changes" in b && size !== undefined && size <= this.#keepBytes
      if (keep && size !== undefined) {
        doc = leanDoc(doc)
        this.#remember(req.docId, doc, headsKey(heads), size)
      }
      return entry
    } finally {
      if (!keep) A.free(doc)
    }
  }

  /** Frees every document kept. */
  clear(): void {
    for (const { doc } of this.#docs.values()) A.free(doc)
    this.#docs.clear()
    this.#keptBytes = 0
  }

  #remember(docId: string, doc: A.Doc<AnyClinicDoc>, heads: string, bytes: number): void {
    this.#docs.set(docId, { doc, heads, bytes })
    this.#keptBytes += bytes
    for (const id of this.#docs.keys()) {
      if (this.#keptBytes <= this.#keepBytes) break
      const old = this.#take(id)
      if (old) A.free(old.doc)
    }
  }

  /** Takes the document out of the kept ones (undefined: not kept); the caller uses or frees it. */
  #take(docId: string): { doc: A.Doc<AnyClinicDoc>; heads: string } | undefined {
    const kept = this.#docs.get(docId)
    if (!kept) return undefined
    this.#docs.delete(docId)
    this.#keptBytes -= kept.bytes
    return kept
  }

  #drop(docId: string): void {
    const kept = this.#take(docId)
    if (kept) A.free(kept.doc)
  }
}

const port = parentPort
if (port) {
  const data = workerData as EntryThreadData | undefined
  // On Linux a nice value belongs to a thread, and setpriority of pid 0 sets the calling thread's:
  // this one's alone, not the relay's main thread relaying the desks' edits, nor libuv's file
  // system threads (the main thread started them at its first read of the storage, long before the
  // first entry). Under load the scheduler then runs relaying first and the entries in what is left.
  let niceError: string | undefined
  if (data?.nice)
    try {
      setPriority(data.nice)
    } catch (e) {
      niceError = e instanceof Error ? e.message : String(e)
    }
  const state = new EntryMakerState(data?.keepBytes ?? 0)
  // this thread loads whole documents: its wasm memory grows too, each time a full collection of its heap
  if (data?.wasmHeadroom) new WasmHeadroom({ minBytes: 16 * 1024 * 1024 }).start()
  // one request at a time, in order: a document's next update must find the one before it kept
  let queue: Promise<void> = Promise.resolve()
  port.on("message", (req: EntryRequest) => {
    queue = queue.then(async () => {
      let reply: EntryReply
      try {
        const e = await state.make(req)
        // only the entry's own bytes go back (see exactBytes)
        reply = { id: req.id, ok: true, entry: e && { ...e, recordsGz: exactBuffer(e.recordsGz), saved: exactBuffer(e.saved) } }
      } catch (e) {
        reply = { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }
      }
      try {
        port.postMessage({ ...reply, heap: heapNow() })
      } catch (e) {
        port.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies EntryReply)
      }
    })
  })
  port.postMessage({ ready: true, nice: getPriority(), ...(niceError === undefined ? {} : { niceError }) } satisfies EntryThreadReady)
}
