import { automergeWasmExports } from "./automergeWasm.js"

const MB = 1024 * 1024

/**
 * This thread's Automerge wasm memory in bytes, as V8 accounts it: its external memory less its
 * array buffers (the wasm memory is the rest, within a few MB: zlib streams and the like). The
 * wasm memory object itself is not reachable from outside @automerge/automerge.
 */
export const wasmMemoryBytes = (): number => {
  const m = process.memoryUsage()
  return Math.max(0, m.external - m.arrayBuffers)
}

/**
 * Makes Automerge's allocator take `bytes` at once and free them again: the wasm memory grows by
 * at most that much in one step, and the freed block serves later allocations. Nothing is written
 * into the block, so its pages stay untouched, cost no resident memory until Automerge uses them,
 * and the call takes well under a millisecond whatever the size (`npm run bench -- headroom`).
 * Before, the room was made by copying zeros in (A.load of a zero-filled buffer): 6-25 ms a
 * megabyte on these VMs, a stall of up to 1.7 s on a loaded relay, and all of it resident.
 */
export const reserveWasmBytes = (bytes: number): void => {
  const size = Math.max(0, Math.floor(bytes))
  if (size === 0) return
  const w = automergeWasmExports()
  const ptr = w.__wbindgen_malloc(size, 1)
  w.__wbindgen_free(ptr, size, 1)
}

export interface WasmHeadroomOptions {
  /** headroom reserved after a growth, as a share of the wasm memory then (default 0.5) */
  share?: number
  /** at least this many bytes (default 32 MB) */
  minBytes?: number
  /** at most this many bytes in one reservation (default 256 MB) */
  maxBytes?: number
  /** growth smaller than this is noise (other external memory), not the wasm memory (default 2 MB) */
  thresholdBytes?: number
  /** how often the wasm memory is looked at (default 1 s) */
  intervalMs?: number
  /** the least time between two reservations (default 5 s): noise cannot ratchet the memory up fast */
  spacingMs?: number
  /** the wasm memory's size (default wasmMemoryBytes) */
  size?: () => number
  /** takes and frees that many bytes in wasm memory (default reserveWasmBytes) */
  reserve?: (bytes: number) => void
  now?: () => number
  log?: (line: string) => void
}

/**
 * Keeps free room in this thread's Automerge wasm memory, so that it grows seldom and in large
 * steps. Every growth of a wasm memory makes V8 account the whole memory again as new external
 * memory: past its external-memory limit that starts a full mark-compact of the JS heap, and the
 * new buffer counted as young makes the next allocations scavenge. A relay with 20 seed-scale
 * clinics' shards loaded (a 600 MB JS heap) grew its wasm memory in small steps under steady edits
 * and spent most of its CPU in those collections (`npm run bench -- clinics`: 34-47 mark-compacts
 * and ~450 "external memory pressure" scavenges in 50 s of edits; with room reserved, 1).
 *
 * Checked on a timer: once the memory grew since the last look, room of `share` of its size is
 * taken and freed at once (reserveWasmBytes). The room costs resident memory, never more than
 * `share` of the wasm memory plus the spacing's worth of growth.
 */
export class WasmHeadroom {
  readonly #o: Required<Omit<WasmHeadroomOptions, "log">> & Pick<WasmHeadroomOptions, "log">
  /** the wasm memory's size after the last reservation (or at the start) */
  #floor: number
  #lastAt = -Infinity
  #timer: ReturnType<typeof setInterval> | undefined
  /** reservations made, and their bytes in all */
  reservations = 0
  reservedBytes = 0

  constructor(o: WasmHeadroomOptions = {}) {
    this.#o = {
      share: o.share ?? 0.5,
      minBytes: o.minBytes ?? 32 * MB,
      maxBytes: o.maxBytes ?? 256 * MB,
      thresholdBytes: o.thresholdBytes ?? 2 * MB,
      intervalMs: o.intervalMs ?? 1000,
      spacingMs: o.spacingMs ?? 5000,
      size: o.size ?? wasmMemoryBytes,
      reserve: o.reserve ?? reserveWasmBytes,
      now: o.now ?? (() => performance.now()),
      log: o.log,
    }
    if (!(this.#o.share > 0)) throw new Error(`the wasm headroom's share is above 0, not ${this.#o.share}`)
    if (this.#o.maxBytes < this.#o.minBytes) throw new Error("the wasm headroom's maxBytes is below its minBytes")
    this.#floor = this.#o.size()
  }

  /** Looks every intervalMs (the timer does not keep the process alive). */
  start(): this {
    if (this.#timer) return this
    this.#timer = setInterval(() => this.check(), this.#o.intervalMs)
    this.#timer.unref()
    return this
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Reserves room if the memory grew since the last look; the bytes reserved (0: none). */
  check(): number {
    const size = this.#o.size()
    const now = this.#o.now()
    if (size < this.#floor) this.#floor = size
    if (size - this.#floor < this.#o.thresholdBytes || now - this.#lastAt < this.#o.spacingMs) return 0
    const bytes = Math.min(this.#o.maxBytes, Math.max(this.#o.minBytes, Math.round(size * this.#o.share)))
    this.#o.reserve(bytes)
    this.#lastAt = now
    this.#floor = this.#o.size()
    this.reservations++
    this.reservedBytes += bytes
    this.#o.log?.(`wasm memory grew to ${Math.round(size / MB)} MB: ${Math.round(bytes / MB)} MB of room reserved (now ${Math.round(this.#floor / MB)} MB)`)
    return bytes
  }
}
