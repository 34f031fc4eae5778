import * as A from "@automerge/automerge"
import { cbor, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FuzzContext {
  /** the attacker socket's joined peer id */
  self: string
  relayPeerId: string
  /** ids of real documents (the honest desks' and the clinic's) */
  docIds: string[]
  /** real sync messages (with and without changes) to mutate */
  syncMessages: Uint8Array[]
}

/** Real Automerge sync messages: a first message (heads, have, need) and ones carrying changes. */
export const realSyncMessages = (): Uint8Array[] => {
  let doc = A.from<{ items: Record<string, number>; text: string }>({ items: {}, text: "hello" })
  for (let i = 0; i < 5; i++) doc = A.change(doc, d => void (d.items[`k${i}`] = i))
  const out: Uint8Array[] = []
  let mine = A.initSyncState()
  let theirs = A.initSyncState()
  let empty = A.init<unknown>()
  for (let round = 0; round < 4; round++) {
    const [m1, msg] = A.generateSyncMessage(doc, mine)
    mine = m1
    if (msg) {
      out.push(msg)
      ;[empty, theirs] = A.receiveSyncMessage(empty, theirs, msg)
    }
    const [t1, reply] = A.generateSyncMessage(empty, theirs)
    theirs = t1
    if (reply) {
      out.push(reply)
      ;[doc, mine] = A.receiveSyncMessage(doc, mine, reply)
    }
  }
  return out
}

const TYPES = [
  "join",
  "sync",
  "request",
  "ephemeral",
  "doc-unavailable",
  "peer",
  "error",
  "leave",
  "",
  "remote-heads-changed",
]

/** Random values of a CBOR-encodable kind, nested up to `depth`. */
const randomValue = (r: () => number, depth: number): unknown => {
  const pick = Math.floor(r() * (depth > 0 ? 9 : 6))
  switch (pick) {
    case 0:
      return null
    case 1:
      return r() < 0.5
    case 2:
      return Math.floor((r() - 0.5) * 2 ** (1 + Math.floor(r() * 60)))
    case 3:
      return r() * 1e6
    case 4:
      return String.fromCharCode(...Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 0xd7ff)))
    case 5:
      return randomBytes(r, Math.floor(r() * 64))
    case 6:
      return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth - 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let i = Math.floor(r() * 6); i > 0; i--) o[String(randomValue(r, 0))] = randomValue(r, depth - 1)
      return o
    }
  }
}

const randomBytes = (r: () => number, n: number): Uint8Array =>
  Uint8Array.from({ length: n }, () => Math.floor(r() * 256))

const pickOf = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!

/** Flips 1-8 random bits of a copy. */
const bitFlip = (r: () => number, bytes: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(bytes)
  if (out.length === 0) return out
  for (let i = 1 + Math.floor(r() * 8); i > 0; i--) out[Math.floor(r() * out.length)]! ^= 1 << Math.floor(r() * 8)
  return out
}

const truncate = (r: () => number, bytes: Uint8Array): Uint8Array => bytes.subarray(0, Math.floor(r() * bytes.length))

const randomDocId = (r: () => number): string =>
  r() < 0.5 ? parseAutomergeUrl(generateAutomergeUrl()).documentId : String(randomValue(r, 0))

/** One generated frame: implausible (random bytes, random CBOR) or plausible with mutated fields or bytes. */
export const fuzzFrame = (r: () => number, ctx: FuzzContext): Uint8Array => {
  const kind = Math.floor(r() * 6)
  if (kind === 0) return randomBytes(r, Math.floor(r() * 300))
  if (kind === 1) return cbor.encode(randomValue(r, 3))
  const sync = pickOf(r, ctx.syncMessages)
  let data: unknown
  switch (Math.floor(r() * 5)) {
    case 0:
      data = sync
      break
    case 1:
      data = truncate(r, sync)
      break
    case 2:
      data = bitFlip(r, sync)
      break
    case 3:
      data = randomBytes(r, Math.floor(r() * 200))
      break
    default:
      data = randomValue(r, 1)
  }
  const message: Record<string, unknown> = {
    type: r() < 0.8 ? pickOf(r, ["sync", "request", "ephemeral", "doc-unavailable"]) : pickOf(r, TYPES),
    senderId: r() < 0.85 ? ctx.self : String(randomValue(r, 0)),
    targetId: r() < 0.85 ? ctx.relayPeerId : String(randomValue(r, 0)),
    documentId: r() < 0.7 ? pickOf(r, ctx.docIds) : randomDocId(r),
    data,
  }
  if (message.type === "ephemeral" || r() < 0.1) {
    message.count = r() < 0.8 ? Math.floor(r() * 100) : randomValue(r, 0)
    message.sessionId = r() < 0.8 ? "s1" : randomValue(r, 0)
  }
  if (r() < 0.1) message[String(randomValue(r, 0))] = randomValue(r, 2)
  if (r() < 0.1) delete message[pickOf(r, Object.keys(message))]
  const frame = cbor.encode(message)
  if (kind === 5) return r() < 0.5 ? bitFlip(r, frame) : truncate(r, frame)
  return frame
}
