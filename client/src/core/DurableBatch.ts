export interface DurableBatchOptions {
  /**
   * Applies the relay's durable acknowledgements that arrived together, each document once with
   * the heads of its newest frame, in arrival order of their newest frames.
   */
  apply: (frames: { documentId: string; heads: string[] }[]) => void
  /** the apply threw (the frames are dropped: the relay acknowledges the document again at its next change) */
  onError?: (e: unknown) => void
}

/**
 * Collects the relay's `durable` frames that arrive together (a reconnect's burst: one per
 * document, many in one socket read) and hands them over once, on the next turn of the event
 * loop, so the desk writes them in one read-model transaction: one fsync for the burst instead of
 * two or three per document (relay heads, waiting count, last synced). A document acknowledged
 * twice in one batch is applied once, with its newest frame's heads, which is where applying both
 * in order leaves it (each frame's heads replace the last).
 */
export class DurableBatch {
  readonly #o: DurableBatchOptions
  readonly #pending = new Map<string, string[]>()
  #timer: ReturnType<typeof setImmediate> | undefined
  #closed = false
  /** batches applied */
  batches = 0

  constructor(o: DurableBatchOptions) {
    this.#o = o
  }

  /** A `durable` frame: the relay holds `heads` of the document on its disk. */
  add(documentId: string, heads: string[]): void {
    if (this.#closed) return
    this.#pending.delete(documentId)
    this.#pending.set(documentId, heads)
    this.#timer ??= setImmediate(() => this.flush())
  }

  /** Applies what is pending now. */
  flush(): void {
    if (this.#timer) clearImmediate(this.#timer)
    this.#timer = undefined
    if (this.#pending.size === 0) return
    const frames = [...this.#pending].map(([documentId, heads]) => ({ documentId, heads }))
    this.#pending.clear()
    this.batches++
    try {
      this.#o.apply(frames)
    } catch (e) {
      this.#o.onError?.(e)
    }
  }

  /** Applies what is pending, then takes no more. */
  close(): void {
    this.flush()
    this.#closed = true
  }
}
