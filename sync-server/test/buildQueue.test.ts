import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BuildQueue, type BuildEvent } from "../src/BuildQueue.js"

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>(r => setImmediate(r))
}

describe("BuildQueue", () => {
  it("runs at most `limit` tasks at once, each in the order they came, failures included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ ticks: fc.integer({ min: 0, max: 5 }), fails: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        async (limit, tasks) => {
          const events: BuildEvent[] = []
          const queue = new BuildQueue(limit, e => events.push(e))
          let running = 0
          let peak = 0
          const started: number[] = []
          const results = await Promise.allSettled(
            tasks.map((t, i) =>
              queue.run(`task ${i}`, async () => {
                started.push(i)
                peak = Math.max(peak, ++running)
                await ticks(t.ticks)
                running--
                if (t.fails) throw new Error(`task ${i} failed`)
                return i
              }),
            ),
          )
          expect(peak).toBe(Math.min(limit, tasks.length))
          expect(started).toEqual(tasks.map((_, i) => i))
          results.forEach((r, i) =>
            expect(r).toEqual(
              tasks[i]!.fails ? { status: "rejected", reason: new Error(`task ${i} failed`) } : { status: "fulfilled", value: i },
            ),
          )
          // what the observer was told agrees: never more than `limit` running, all of them ended
          expect(Math.max(...events.map(e => e.running))).toBe(Math.min(limit, tasks.length))
          expect(events.filter(e => e.phase === "finished")).toHaveLength(tasks.length)
          expect([queue.running, queue.waiting]).toEqual([0, 0])
        },
      ),
      { numRuns: 60 },
    )
  })

  it("takes any whole limit from 1 up, and refuses less than one task at a time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), limit => {
        expect(new BuildQueue(limit).limit).toBe(limit)
      }),
    )
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true })), bad => {
        expect(() => new BuildQueue(bad)).toThrow(/at least one task/)
      }),
    )
  })
})
