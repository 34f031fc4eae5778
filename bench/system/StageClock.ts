/** One signal the clock follows: a number that grows while its stage works (bytes, acks, rows). */
export interface StageSignal {
  name: string
  /** what it counts, for the table's note */
  note: string
  read: () => number | Promise<number>
}

interface Seen {
  signal: StageSignal
  start: number
  first: number
  last: number
  value: number
  /** every growth: when, and the value it reached */
  steps: { t: number; v: number }[]
}

/**
 * When each stage of the offline burst's way to PostgreSQL worked: each signal is read at every
 * sample (the benchmark's poll for the rows), and the clock keeps the times, from `origin` (the
 * network coming back), of its first and last growth. Bytes through a TcpProxy, the relay's
 * durable acknowledgements, rows in PostgreSQL: the stages overlap, and the gaps between their
 * ends say which one the others waited for. The resolution is the poll's.
 */
export class StageClock {
  /** performance.now() of the moment the stages are timed from (set by `from`) */
  #origin = performance.now()
  readonly #seen: Seen[] = []

  /** Reads every signal's starting value (before what is timed starts). */
  static async start(signals: readonly StageSignal[]): Promise<StageClock> {
    const clock = new StageClock()
    for (const signal of signals) {
      const v = await read(signal)
      clock.#seen.push({ signal, start: Number.isNaN(v) ? 0 : v, first: Number.NaN, last: Number.NaN, value: Number.isNaN(v) ? 0 : v, steps: [] })
    }
    return clock
  }

  /** Times the stages from `origin` (performance.now() of the moment the network came back). */
  from(origin: number): void {
    this.#origin = origin
  }

  /** Reads every signal once, now. */
  async sample(): Promise<void> {
    await Promise.all(
      this.#seen.map(async s => {
        const v = await read(s.signal)
        const t = performance.now() - this.#origin
        if (Number.isNaN(v) || v === s.value) return
        if (Number.isNaN(s.first)) s.first = t
        s.last = t
        s.value = v
        s.steps.push({ t, v })
      }),
    )
  }

  /**
   * Each signal: when it first grew, when it had done half and nine tenths of its growth, when it
   * last grew, and by how much (a trickle at the end, a report or a keep-alive, moves `last` only).
   */
  stages(): { name: string; note: string; first: number; half: number; most: number; last: number; grew: number }[] {
    return this.#seen.map(s => {
      const grew = s.value - s.start
      const at = (share: number): number => s.steps.find(x => x.v - s.start >= share * grew)?.t ?? Number.NaN
      return { name: s.signal.name, note: s.signal.note, first: s.first, half: at(0.5), most: at(0.9), last: s.last, grew }
    })
  }
}

/** A signal that cannot be read right now (a scrape failing) keeps its last value. */
const read = async (signal: StageSignal): Promise<number> => {
  try {
    return await signal.read()
  } catch {
    return Number.NaN
  }
}
