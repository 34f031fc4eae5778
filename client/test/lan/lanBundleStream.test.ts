import { randomBytes } from "node:crypto"
import { bundleEntry, bundleStart, decodeBundle, type BundleEntry } from "@vetsync/shared"
import { createClinicCa, generateDeskKeys, issueDeskCertificate, type ClinicCa } from "@vetsync/shared/lan"
import { eventually, freePort } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import type { LanSnapshotProvider } from "../../src/lan/DeskSnapshot.js"
import { LanServer } from "../../src/lan/LanServer.js"
import { LanSnapshotSource } from "../../src/lan/LanSnapshotSource.js"
import type { LanIdentity } from "../../src/lan/lanTls.js"

const CLINIC = "lan-stream"

const identity = async (ca: ClinicCa, deskId: string): Promise<LanIdentity> => {
  const keys = generateDeskKeys()
  return { clinicId: CLINIC, deskId, keyPem: keys.privateKeyPem, certs: { cert: await issueDeskCertificate(ca, deskId, keys.publicKeyPem), ca: ca.certPem } }
}

/** Documents of a few hundred KiB each: a bundle of them streams in many writes, with back-pressure. */
const ENTRIES: BundleEntry[] = Array.from({ length: 12 }, (_, i) => ({ key: `clients/${i}`, docId: `doc-${i}`, bytes: randomBytes(200_000 + i * 1000) }))

/** A bundle streamed as DeskSnapshot does: its start, then each document; `failAfter` documents, a failure (-1: before the start). */
const bundle = (failAfter?: number): AsyncIterable<Buffer> =>
  (async function* () {
    if (failAfter === -1) throw new Error("the desk failed to list its documents")
    yield bundleStart()
    for (const [i, e] of ENTRIES.entries()) {
      if (i === failAfter) throw new Error("the desk failed to read a document")
      yield* bundleEntry(e)
    }
  })()

describe("a LAN peer's bundle streamed (issue 15)", () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
  })

  const serving = async (failAfter?: number): Promise<{ address: string; log: string[]; ca: ClinicCa }> => {
    const ca = await createClinicCa(CLINIC)
    const log: string[] = []
    const provider: LanSnapshotProvider = {
      ready: () => true,
      snapshot: () => Promise.reject(new Error("no snapshot here")),
      documents: () => bundle(failAfter),
    }
    const server = await LanServer.start(await identity(ca, "desk-a"), { host: "127.0.0.1", port: await freePort(), log: l => void log.push(l) })
    server.serveSnapshots(provider)
    cleanup.push(() => server.close())
    return { address: `127.0.0.1:${server.port}`, log, ca }
  }

  it("arrives whole: every document, byte for byte, in order", async () => {
    const peer = await serving()
    const got = decodeBundle(await new LanSnapshotSource(peer.address, await identity(peer.ca, "desk-b")).documents())
    expect(got.map(e => [e.key, e.docId])).toEqual(ENTRIES.map(e => [e.key, e.docId]))
    for (const [i, e] of got.entries()) expect(Buffer.from(e.bytes).equals(Buffer.from(ENTRIES[i]!.bytes)), e.key).toBe(true)
    const total = ENTRIES.reduce((n, e) => n + bundleEntry(e).reduce((m, b) => m + b.length, 0), bundleStart().length)
    await eventually("the peer to log the bundle served, with its bytes", () => peer.log.includes(`LAN: served the clinic's documents to desk desk-b (${total} bytes)`), 10_000, {
      describe: () => peer.log.join("; "),
    })
  })

  it("cut off by a failure half way: the new desk's download fails, it never takes a shorter bundle", async () => {
    const peer = await serving(6)
    await expect(new LanSnapshotSource(peer.address, await identity(peer.ca, "desk-b")).documents()).rejects.toThrow()
    await eventually("the peer to log the failure", () => peer.log.some(l => l.startsWith("LAN documents failed: the desk failed to read a document")), 10_000)
  })

  it("failing before its first bytes still answers an error the new desk reads", async () => {
    const peer = await serving(-1)
    await expect(new LanSnapshotSource(peer.address, await identity(peer.ca, "desk-b")).documents()).rejects.toThrow(/HTTP 500/)
  })
})
