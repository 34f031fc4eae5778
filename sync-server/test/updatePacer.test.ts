import fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { UpdatePacer } from "../src/UpdatePacer.js"

interface Piece {
  /** waited before the measured work (a queue's turn) */
  queueMs: number
  workMs: number
  fails: boolean
}

const after = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

describe("UpdatePacer", () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("runs one piece at a time, each after a pause of the last one's measured work × (1 − share) / share", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0.1, 0.25, 0.5, 1),
        fc.array(
          fc.record({ queueMs: fc.integer({ min: 0, max: 500 }), workMs: fc.integer({ min: 1, max: 400 }), fails: fc.boolean() }),
          { minLength: 1, maxLength: 8 },
        ),
        async (share, pieces: Piece[]) => {
          const pacer = new UpdatePacer({ share, now: () => Date.now() })
          const starts: number[] = []
          const workEnds: number[] = []
          const ends: number[] = []
          const runs = pieces.map((p, i) =>
            pacer.run(async measure => {
              starts[i] = Date.now()
              await after(p.queueMs)
              await measure(async () => {
                await after(p.workMs)
                workEnds[i] = Date.now()
                if (p.fails) throw new Error(`piece ${i} failed`)
              })
              ends[i] = Date.now()
              return i
            }),
          )
          const settled = Promise.allSettled(runs)
          await vi.runAllTimersAsync()
          const results = await settled
          results.forEach((r, i) => expect(r.status).toBe(pieces[i]!.fails ? "rejected" : "fulfilled"))
          expect(starts[0]).toBeDefined()
          for (let i = 1; i < pieces.length; i++) {
            const last = pieces[i - 1]!
            // the wait for the queue is not work: only the measured part earns a pause
            const pause = Math.min(30_000, (last.workMs * (1 - share)) / share)
            expect(starts[i]! - workEnds[i - 1]!).toBe(Math.ceil(pause))
          }
          expect(pacer.workedMs).toBe(pieces.reduce((n, p) => n + p.workMs, 0))
        },
      ),
      { numRuns: 40 },
    )
  })

  it("pauses at most maxPauseMs after one slow piece", async () => {
    const pacer = new UpdatePacer({ share: 0.01, maxPauseMs: 2_000, now: () => Date.now() })
    const starts: number[] = []
    const piece = (ms: number): Promise<void> =>
      pacer.run(async measure => {
        starts.push(Date.now())
        await measure(() => after(ms))
      })
    const both = Promise.all([piece(1_000), piece(1)])
    await vi.runAllTimersAsync()
    await both
    // 1 s of work at 1 % would earn 99 s of pause; capped at 2 s
    expect(starts[1]! - starts[0]!).toBe(3_000)
  })

  it("lets a piece waiting for its turn run at once when closed", async () => {
    const pacer = new UpdatePacer({ share: 0.1, now: () => Date.now() })
    await vi.advanceTimersByTimeAsync(1)
    let ran = -1
    const first = pacer.run(measure => measure(() => after(100)))
    await vi.advanceTimersByTimeAsync(100)
    await first
    const second = pacer.run(async () => {
      ran = Date.now()
    })
    await vi.advanceTimersByTimeAsync(10)
    expect(ran).toBe(-1)
    const closedAt = Date.now()
    pacer.close()
    await second
    expect(ran).toBe(closedAt)
  })

  it("refuses a share outside (0, 1]", () => {
    for (const share of [0, -0.5, 1.5, Number.NaN]) expect(() => new UpdatePacer({ share })).toThrow(/share/)
    expect(new UpdatePacer({ share: 1 }).share).toBe(1)
  })
})
