import type { DocumentId, PeerId } from "@automerge/automerge-repo"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { announceChanged, type DocShare } from "../src/announceChanged.js"

/** A synchronizer that records the peers it was asked to begin with. */
class FakeShare implements DocShare {
  readonly peers: Set<PeerId>
  readonly begun: PeerId[] = []
  constructor(peers: Iterable<PeerId>) {
    this.peers = new Set(peers)
  }
  hasPeer(peerId: PeerId): boolean {
    return this.peers.has(peerId)
  }
  beginSync(peerIds: PeerId[]): Promise<void> {
    for (const p of peerIds) {
      this.begun.push(p)
      this.peers.add(p)
    }
    return Promise.resolve()
  }
}

const docs = Array.from({ length: 6 }, (_, i) => `doc${i}` as DocumentId)
const peers = Array.from({ length: 5 }, (_, i) => `desk:d${i}:x` as PeerId)

describe("announceChanged", () => {
  it("begins each changed document with exactly the peers the policy announces it to that do not sync it yet, and touches no other document", async () => {
    await fc.assert(
      fc.asyncProperty(
        // which documents the Repo has, with which peers syncing them; which changed; the policy's answers
        fc.array(fc.option(fc.subarray(peers), { nil: undefined }), { minLength: docs.length, maxLength: docs.length }),
        fc.subarray(docs),
        fc.func(fc.boolean()),
        async (syncing, changed, policy) => {
          const shares = new Map<DocumentId, FakeShare>()
          docs.forEach((d, i) => {
            const s = syncing[i]
            if (s) shares.set(d, new FakeShare(s))
          })
          const before = new Map([...shares].map(([d, s]) => [d, new Set(s.peers)]))
          const announce = (p: PeerId, d: DocumentId): Promise<boolean> => Promise.resolve(policy(p, d))
          const begun = await announceChanged({ docIds: changed, peers, synchronizerOf: d => shares.get(d), announce })
          let expected = 0
          for (const [d, s] of shares) {
            const want = changed.includes(d) ? peers.filter(p => !before.get(d)?.has(p) && policy(p, d)) : []
            expect(s.begun).toEqual(want)
            expected += want.length
          }
          expect(begun).toBe(expected)
        },
      ),
    )
  })
})
