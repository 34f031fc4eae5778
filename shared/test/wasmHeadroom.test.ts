import * as A from "@automerge/automerge"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { WasmHeadroom, reserveWasmBytes, wasmMemoryBytes } from "../src/docs/WasmHeadroom.js"
import { automergeWasmExports } from "../src/docs/automergeWasm.js"

const MB = 1024 * 1024

/** A wasm memory as the headroom sees it: a size that grows when more is used than it holds. */
class FakeMemory {
  size: number
  used: number
  noise = 0
  constructor(size: number) {
    this.size = size
    this.used = size
  }
  use(bytes: number): void {
    this.used = Math.max(0, this.used + bytes)
    if (this.used > this.size) this.size = this.used
  }
  /** what the headroom reads: the memory and other external memory that comes and goes */
  read = (): number => this.size + this.noise
  reserve = (bytes: number): void => {
    if (this.used + bytes > this.size) this.size = this.used + bytes
  }
}

type Step = { kind: "use"; bytes: number } | { kind: "noise"; bytes: number } | { kind: "wait"; ms: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("use" as const), bytes: fc.integer({ min: -20 * MB, max: 40 * MB }) }),
  fc.record({ kind: fc.constant("noise" as const), bytes: fc.integer({ min: 0, max: 2 * MB - 1 }) }),
  fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 8000 }) }),
)

describe("WasmHeadroom", () => {
  it("reserves room after a growth, within its bounds and spacing; never for noise below the threshold", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.array(step, { maxLength: 60 }), (startMb, steps) => {
        const mem = new FakeMemory(startMb * MB)
        let now = 0
        const reservations: { at: number; bytes: number; size: number }[] = []
        const h = new WasmHeadroom({
          size: mem.read,
          reserve: bytes => {
            reservations.push({ at: now, bytes, size: mem.read() })
            mem.reserve(bytes)
          },
          now: () => now,
        })
        for (const s of steps) {
          if (s.kind === "use") mem.use(s.bytes)
          else if (s.kind === "noise") mem.noise = s.bytes
          else now += s.ms
          const before = mem.read()
          const floorGrew = reservations.length
          const bytes = h.check()
          if (bytes > 0) {
            expect(reservations.length).toBe(floorGrew + 1)
            expect(bytes).toBe(Math.min(256 * MB, Math.max(32 * MB, Math.round(before * 0.5))))
          }
        }
        for (let i = 1; i < reservations.length; i++)
          expect(reservations[i]!.at - reservations[i - 1]!.at).toBeGreaterThanOrEqual(5000)
        expect(h.reservations).toBe(reservations.length)
        expect(h.reservedBytes).toBe(reservations.reduce((n, r) => n + r.bytes, 0))
      }),
    )
  })

  it("spaces reservations out under steady growth, and reserves again once the spacing has passed", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 100, max: 7000 }), { minLength: 1, maxLength: 40 }), gaps => {
        const mem = new FakeMemory(64 * MB)
        let now = 0
        let last = -Infinity
        const h = new WasmHeadroom({ size: mem.read, reserve: mem.reserve, now: () => now })
        for (const gap of gaps) {
          now += gap
          // more than any room reserved so far: the memory grows at every step
          mem.use(300 * MB)
          const reserved = h.check() > 0
          expect(reserved).toBe(now - last >= 5000)
          if (reserved) last = now
        }
      }),
    )
  })

  it("never reserves while only other external memory below the threshold comes and goes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.array(step.filter(s => s.kind !== "use"), { maxLength: 60 }), (startMb, steps) => {
        const mem = new FakeMemory(startMb * MB)
        let now = 0
        const h = new WasmHeadroom({ size: mem.read, reserve: () => expect.fail("reserved for noise"), now: () => now })
        for (const s of steps) {
          if (s.kind === "noise") mem.noise = s.bytes
          else if (s.kind === "wait") now += s.ms
          expect(h.check()).toBe(0)
        }
      }),
    )
  })

  it("reserves at the first look after real growth once the spacing allows, and not again while the room lasts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.array(fc.integer({ min: 0, max: 8 * MB }), { maxLength: 30 }), (growMb, uses) => {
        const mem = new FakeMemory(100 * MB)
        let now = 0
        const h = new WasmHeadroom({ size: mem.read, reserve: mem.reserve, now: () => now })
        mem.use(growMb * MB)
        now += 1000
        const room = h.check()
        expect(room).toBeGreaterThanOrEqual(32 * MB)
        // what fits in the room never grows the memory, so never reserves again
        let usedSince = 0
        for (const u of uses) {
          if (usedSince + u > room) break
          usedSince += u
          mem.use(u)
          now += 10_000
          expect(h.check()).toBe(0)
        }
      }),
    )
  })

  it("grows this thread's real Automerge wasm memory without touching the room, and Automerge's documents use it", () => {
    const before = wasmMemoryBytes()
    // more than any free room the tests before left: the memory grows
    const grow = before + 128 * MB
    const rssBefore = process.memoryUsage().rss
    reserveWasmBytes(grow)
    const rssAdded = process.memoryUsage().rss - rssBefore
    const grown = wasmMemoryBytes()
    expect(grown - before).toBeGreaterThanOrEqual(128 * MB)
    // untouched: the room is not resident (copying zeros in, as before, made all of it resident)
    expect(rssAdded).toBeLessThan(32 * MB)
    // the room is Automerge's own memory: a document of 2 MB of bytes (about 30 MB of Automerge's
    // memory, made, saved and loaded again) comes without growth; without the room it grows the memory
    const doc = A.from<{ bytes: Uint8Array }>({ bytes: new Uint8Array(2 * MB).fill(7) })
    const again = A.load<{ bytes: Uint8Array }>(A.save(doc))
    expect(A.toJS(again).bytes.length).toBe(2 * MB)
    expect(wasmMemoryBytes() - grown).toBeLessThan(4 * MB)
    A.free(again)
    A.free(doc)
  })

  it("finds the exports of the wasm instance Automerge runs on (patches/), once per thread", () => {
    const w = automergeWasmExports()
    expect(typeof w.__wbindgen_malloc).toBe("function")
    expect(automergeWasmExports()).toBe(w)
  })

  it("keeps real room: after it reserved, allocations up to the room leave the memory where it was", () => {
    let now = 0
    const h = new WasmHeadroom({ minBytes: 16 * MB, thresholdBytes: 1 * MB, now: () => now })
    reserveWasmBytes(wasmMemoryBytes() + 8 * MB) // a growth, as documents loading would make
    now += 10_000
    const room = h.check()
    expect(room).toBeGreaterThanOrEqual(16 * MB)
    const after = wasmMemoryBytes()
    reserveWasmBytes(room - 2 * MB)
    expect(wasmMemoryBytes() - after).toBeLessThan(MB)
    now += 10_000
    expect(h.check()).toBe(0)
    expect(h.reservations).toBe(1)
  })

  it("refuses a share that is not above 0 and bounds that cross", () => {
    expect(() => new WasmHeadroom({ share: 0, size: () => 0 })).toThrow(/share/)
    expect(() => new WasmHeadroom({ minBytes: 2, maxBytes: 1, size: () => 0 })).toThrow(/maxBytes/)
  })
})
