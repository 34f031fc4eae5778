import type { PeerId } from "@automerge/automerge-repo"
import fc from "fast-check"
import { afterEach, describe, expect, it, vi } from "vitest"
import type { DocOwnership } from "../src/DocOwnership.js"
import { RelayPolicy } from "../src/RelayPolicy.js"

const policy = (forgetPeersAfterMs: number): RelayPolicy =>
  new RelayPolicy({
    // joining and leaving touch neither ownership nor identities
    ownership: {} as DocOwnership,
    identityOf: () => undefined,
    tell: () => undefined,
    changed: () => undefined,
    announced: () => undefined,
    reannounce: () => undefined,
    resync: () => undefined,
    forgetPeersAfterMs,
    log: () => undefined,
  })

describe("the relay's memory of peers", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("keeps a peer that left for a rejoin, forgets it after the delay, and never forgets one that is connected", () => {
    vi.useFakeTimers()
    fc.assert(
      fc.property(
        // a sequence of joins and leaves of a few peers, with time passing between them
        fc.array(fc.tuple(fc.constantFrom("join", "leave"), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2_000 })), { maxLength: 40 }),
        steps => {
          const p = policy(1_000)
          const connected = new Set<number>()
          const leftAt = new Map<number, number>()
          let now = 0
          for (const [what, n, wait] of steps) {
            const peer = `desk:d${n}:x` as PeerId
            if (what === "join") {
              p.joined(peer)
              connected.add(n)
              leftAt.delete(n)
            } else if (connected.has(n)) {
              p.left(peer)
              connected.delete(n)
              leftAt.set(n, now)
            }
            vi.advanceTimersByTime(wait)
            now += wait
            // remembered: the connected ones, and those that left less than 1 s ago
            const recent = [...leftAt.values()].filter(at => now - at < 1_000).length
            expect(p.rememberedPeers).toBe(connected.size + recent)
          }
          p.close()
        },
      ),
    )
  })
})
