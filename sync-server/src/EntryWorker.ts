import { Worker } from "node:worker_threads"
import { isEntryThreadReady, type EntryRequest, type EntryThreadData, type EntryThreadMessage, type EntryThreadReady } from "./entryThread.js"
import { exactBytes } from "./exactBytes.js"
import type { SnapshotEntry } from "./SnapshotEntry.js"

/**
 * The worker thread running entryThread. Built JavaScript (npm run build) runs entryThread.js
 * itself; from the TypeScript sources (tsx, vitest) entryThread.boot.mjs first registers tsx's
 * loader (as shared's buildParallel does).
 */
const startWorker = (data: EntryThreadData): Worker => {
  const self = import.meta.url
  return new Worker(new URL(self.endsWith(".ts") ? "./entryThread.boot.mjs" : "./entryThread.js", self), { workerData: data })
}

export interface EntryWorkerOptions {
  /**
   * The saved size of the documents the worker keeps loaded between their updates, at most
   * (default DEFAULT_SNAPSHOT_CACHE_BYTES), least recently used out first. A kept document costs
   * about 11 times its saved size in the worker's wasm memory (lean: its values are read through a
   * view for each update); an update of one not kept loads it whole from the
   * previous entry's save (the entry is the same either way).
   */
  keepBytes?: number
  /** keep room in the worker's wasm memory (WasmHeadroom); default true */
  wasmHeadroom?: boolean
  /**
   * the nice value of the worker's thread (default DEFAULT_ENTRY_NICE; 0: the process's own): the
   * relay's main thread keeps its priority, so that on a busy machine relaying goes first
   */
  nice?: number
  /** told when the worker could not give its thread that nice value (it runs on at the process's) */
  log?: (line: string) => void
}

/**
 * Making entries yields to relaying: on a 2-core machine serving twenty clinics, the worker's
 * updates (about 40 % of a core under a steady stream of edits), the relay's main thread and the
 * desks share the cores. A snapshot only has to be current within seconds; an edit is waited for.
 */
export const DEFAULT_ENTRY_NICE = 10

/** 2 MiB: about 8 of the seeds' client shards (240 KB saved, some 2.6 MB of wasm memory each, kept lean). */
export const DEFAULT_SNAPSHOT_CACHE_BYTES = 2 * 1024 * 1024

/** A buffer that came through structured clone (a Uint8Array) as the Buffer SnapshotEntry holds. */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)

interface Waiting {
  resolve: (e: SnapshotEntry | undefined) => void
  reject: (e: Error) => void
}

/**
 * Makes snapshot entries in one worker thread, so that loading, saving, reading the records of,
 * serialising and compressing a clinic's documents never holds up the relay's event loop (which
 * relays every clinic's sync messages). Started on the first request; a worker that dies fails
 * the requests it held and the next request starts another. It keeps the process alive only
 * while a request is waiting for it.
 */
export class EntryWorker {
  readonly #keepBytes: number
  readonly #wasmHeadroom: boolean
  readonly #nice: number
  readonly #log: ((line: string) => void) | undefined
  #worker: Worker | undefined
  /** settles once the current worker takes requests, or is gone */
  #started: Promise<void> = Promise.resolve()
  readonly #waiting = new Map<number, Waiting>()
  #next = 1
  #closed = false
  #heap: { heapUsed: number; heapTotal: number } | undefined
  #ready: EntryThreadReady | undefined

  constructor(o: EntryWorkerOptions = {}) {
    this.#keepBytes = o.keepBytes ?? DEFAULT_SNAPSHOT_CACHE_BYTES
    this.#wasmHeadroom = o.wasmHeadroom ?? true
    this.#nice = o.nice ?? DEFAULT_ENTRY_NICE
    this.#log = o.log
  }

  /** The entry of one document from its bytes (undefined: a document without a kind yet). */
  make(req: Omit<EntryRequest, "id">): Promise<SnapshotEntry | undefined> {
    if (this.#closed) return Promise.reject(new Error("the snapshot entry worker is closed"))
    const worker = this.#start()
    const id = this.#next++
    return new Promise<SnapshotEntry | undefined>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      worker.ref()
      const b = req.bytes
      const bytes = "binary" in b ? { binary: exactBytes(b.binary) } : { ...b, base: exactBytes(b.base), changes: exactBytes(b.changes) }
      worker.postMessage({ ...req, bytes, id } satisfies EntryRequest)
    })
  }

  /**
   * Starts the worker unless it runs, and settles once it takes requests (its modules and
   * Automerge loaded: about a second) or is gone. A caller that paces its work by how long it
   * took (ClinicSnapshot) waits for this first, so that the start is not counted as work.
   */
  started(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#start()
    return this.#started
  }

  /** The current worker thread's nice value, and why it could not be set if it could not (undefined: not started yet). */
  nice(): { nice: number; error?: string } | undefined {
    const r = this.#ready
    return r && { nice: r.nice, ...(r.niceError === undefined ? {} : { error: r.niceError }) }
  }

  /** The worker's V8 heap as it last reported it (undefined: no reply yet). */
  heap(): { heapUsed: number; heapTotal: number } | undefined {
    return this.#heap
  }

  /** Stops the worker; requests still waiting fail. */
  async close(): Promise<void> {
    this.#closed = true
    const w = this.#worker
    this.#worker = undefined
    this.#fail(new Error("the snapshot entry worker was closed"))
    if (w) await w.terminate()
  }

  #start(): Worker {
    if (this.#worker) return this.#worker
    const w = startWorker({ keepBytes: this.#keepBytes, wasmHeadroom: this.#wasmHeadroom, nice: this.#nice })
    this.#ready = undefined
    w.unref()
    let ready = (): void => undefined
    this.#started = new Promise<void>(resolve => (ready = resolve))
    w.on("message", (reply: EntryThreadMessage) => {
      if (isEntryThreadReady(reply)) {
        this.#ready = reply
        if (reply.niceError !== undefined) this.#log?.(`the snapshot entry worker runs at nice ${reply.nice}, not ${this.#nice}: ${reply.niceError}`)
        ready()
        return
      }
      if (reply.heap) this.#heap = reply.heap
      const waiting = this.#waiting.get(reply.id)
      if (!waiting) return
      this.#waiting.delete(reply.id)
      if (this.#waiting.size === 0) w.unref()
      if (!reply.ok) waiting.reject(new Error(reply.error))
      else if (!reply.entry) waiting.resolve(undefined)
      else waiting.resolve({ ...reply.entry, recordsGz: asBuffer(reply.entry.recordsGz), saved: asBuffer(reply.entry.saved) })
    })
    const gone = (why: Error): void => {
      ready()
      if (this.#worker !== w) return
      this.#worker = undefined
      this.#fail(why)
    }
    w.on("error", e => gone(e))
    w.on("exit", code => gone(new Error(`the snapshot entry worker exited (${code})`)))
    this.#worker = w
    return w
  }

  #fail(e: Error): void {
    const all = [...this.#waiting.values()]
    this.#waiting.clear()
    for (const w of all) w.reject(e)
  }
}
