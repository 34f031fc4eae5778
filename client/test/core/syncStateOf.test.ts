import * as A from "@automerge/automerge"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { syncStateOf } from "../../src/core/syncStateOf.js"

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => Buffer.from(b).toString("hex"))

/** a document made of `edits` changes on up to three actors, merged */
const docOf = (edits: { actor: number; key: string; value: number }[]): A.Doc<Record<string, number>> => {
  const actors = [0, 1, 2].map(i => A.from<Record<string, number>>({}, { actor: `0${i}`.repeat(16) }))
  let base = A.change(A.init<Record<string, number>>({ actor: "ff".repeat(16) }), d => (d.start = 0))
  const copies = actors.map(a => A.merge(a, base))
  for (const e of edits) copies[e.actor] = A.change(copies[e.actor]!, d => (d[e.key] = e.value))
  for (const c of copies) base = A.merge(base, c)
  return base
}
const edits = fc.array(fc.record({ actor: fc.integer({ min: 0, max: 2 }), key: fc.constantFrom("a", "b", "c"), value: fc.integer() }), { maxLength: 6 })

describe("syncStateOf: a sync state whose shared heads are a document's heads", () => {
  it("decodes to exactly those shared heads", () => {
    fc.assert(
      fc.property(fc.uniqueArray(hash, { maxLength: 200 }), heads => {
        expect([...A.decodeSyncState(syncStateOf(heads)).sharedHeads].sort()).toEqual([...heads].sort())
      }),
    )
  })

  it("gives a sync message naming the document's heads, with nothing since them and no changes", () => {
    fc.assert(
      fc.property(edits, es => {
        const doc = docOf(es)
        const heads = A.getHeads(doc)
        const [, data] = A.generateSyncMessage(doc, A.decodeSyncState(syncStateOf(heads)))
        const m = A.decodeSyncMessage(data as Uint8Array)
        expect([...m.heads].sort()).toEqual([...heads].sort())
        expect(m.changes).toEqual([])
        expect(m.have.map(h => [...h.lastSync].sort())).toEqual([[...heads].sort()])
      }),
      { numRuns: 30 },
    )
  })

  it("refuses what is not a change hash", () => {
    fc.assert(
      fc.property(fc.string().filter(s => !/^[0-9a-f]{64}$/.test(s)), bad => {
        expect(() => syncStateOf([bad])).toThrow(/not a change hash/)
      }),
    )
  })

  /**
   * Why the desk announces (RelayAnnouncer): a desk that took a change from a LAN peer, then gets
   * the relay's message naming the same heads, answers nothing, so the relay never hears the desk
   * hold them; the announcement tells it, and the relay's reply needs nothing back.
   */
  it("a desk level with the relay answers nothing, and its announcement tells the relay its heads", () => {
    fc.assert(
      fc.property(edits, es => {
        const base = docOf(es)
        const author = A.change(A.clone(base), d => (d.lan = 1))
        const relay = A.merge(A.clone(base), author)
        let desk = A.clone(base)
        let deskState = A.initSyncState()
        let relayState = A.initSyncState()
        ;[deskState] = A.generateSyncMessage(desk, deskState)
        const [, fromRelay] = A.generateSyncMessage(relay, relayState)
        desk = A.merge(desk, author) // over the LAN
        ;[desk, deskState] = A.receiveSyncMessage(desk, deskState, fromRelay as Uint8Array)
        expect(A.generateSyncMessage(desk, deskState)[1]).toBeNull()
        const [, announcement] = A.generateSyncMessage(desk, A.decodeSyncState(syncStateOf(A.getHeads(desk))))
        ;[, relayState] = A.receiveSyncMessage(relay, relayState, announcement as Uint8Array)
        expect([...(relayState.theirHeads ?? [])].sort()).toEqual([...A.getHeads(desk)].sort())
      }),
      { numRuns: 30 },
    )
  })
})
