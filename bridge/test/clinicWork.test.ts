import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ClinicWork } from "../src/ClinicWork.js"

/** Tasks: which clinic, and how many turns of the event loop each takes. */
const tasks = fc.array(fc.record({ clinic: fc.integer({ min: 0, max: 5 }), turns: fc.integer({ min: 0, max: 6 }) }), {
  minLength: 1,
  maxLength: 60,
})

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise(r => setImmediate(r))
}

describe("ClinicWork: clinics in parallel, each clinic serial", () => {
  it("never runs two tasks of a clinic at once, keeps each clinic's order, and never exceeds its workers", async () => {
    await fc.assert(
      fc.asyncProperty(tasks, fc.integer({ min: 1, max: 4 }), async (list, workers) => {
        const work = new ClinicWork(workers)
        const running = new Set<number>()
        let atOnce = 0
        let most = 0
        const done = new Map<number, number[]>()
        await Promise.all(
          list.map((t, i) =>
            work.run(`c${t.clinic}`, async () => {
              expect(running.has(t.clinic)).toBe(false)
              running.add(t.clinic)
              most = Math.max(most, ++atOnce)
              await turns(t.turns)
              atOnce--
              running.delete(t.clinic)
              done.set(t.clinic, [...(done.get(t.clinic) ?? []), i])
            }),
          ),
        )
        expect(most).toBeLessThanOrEqual(workers)
        expect(work.peak).toBe(most)
        for (const [clinic, order] of done)
          expect(order).toEqual(list.flatMap((t, i) => (t.clinic === clinic ? [i] : [])))
        expect(work.busy).toBe(false)
      }),
      { numRuns: 60 },
    )
  })

  it("runs different clinics at the same time when it has the workers", async () => {
    const work = new ClinicWork(3)
    let release: () => void = () => undefined
    const gate = new Promise<void>(r => (release = r))
    const started: string[] = []
    const all = ["a", "b", "c"].map(c =>
      work.run(c, async () => {
        started.push(c)
        await gate
      }),
    )
    await turns(3)
    // all three started while none had finished
    expect(started.sort()).toEqual(["a", "b", "c"])
    expect(work.clinicsBusy.sort()).toEqual(["a", "b", "c"])
    release()
    await Promise.all(all)
    expect(work.peak).toBe(3)
  })

  it("a failing task does not stop its clinic's next one, nor hold a worker", async () => {
    const work = new ClinicWork(1)
    await expect(work.run("a", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom")
    await expect(work.run("a", () => Promise.resolve(1))).resolves.toBe(1)
    await expect(work.run("b", () => Promise.resolve(2))).resolves.toBe(2)
  })

  it("coalesces a clinic's same-key calls still waiting, not another clinic's", async () => {
    const work = new ClinicWork(2)
    let n = 0
    const blocker = work.run("a", () => turns(2))
    const calls = [
      work.once("a", "prices", async () => n++),
      work.once("a", "prices", async () => n++),
      work.once("b", "prices", async () => n++),
    ]
    await Promise.all([blocker, ...calls])
    expect(n).toBe(2)
  })

  it("refuses a pool without workers, and takes any whole number from 1", () => {
    expect(() => new ClinicWork(0)).toThrow(/workers/)
    expect(() => new ClinicWork(1.5)).toThrow(/workers/)
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), w => new ClinicWork(w).workers === w))
  })
})
