import { createHash } from "node:crypto"
import * as A from "@automerge/automerge"

/**
 * The binary format of one entry of a sync message's change list, as Automerge itself reads it
 * (rust/automerge/src/storage/chunk.rs, sync.rs): one or more chunks back to back, each
 *   magic (85 6f 4a 83) | checksum (4) | type (1) | uleb128 length | body.
 * Automerge's own sync protocol (message v2) puts every change a peer lacks into ONE entry,
 * concatenated, and sends a whole saved document in a first message; the receiver joins the
 * entries and calls loadIncremental on the result.
 */
const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const

export type ChunkKind = "document" | "change" | "compressed-change" | "bundle"
const KINDS: readonly ChunkKind[] = ["document", "change", "compressed-change", "bundle"]

/** One validated chunk: its kind, and the hashes of the changes it carries (a document's: its heads). */
export interface AutomergeChunk {
  kind: ChunkKind
  bytes: Uint8Array
  hashes: string[]
}

export type ChunkCheck = { ok: true; chunks: AutomergeChunk[] } | { ok: false; error: string }

/** Reads an unsigned LEB128 of at most 8 bytes; undefined if the input ends first or it is longer. */
const uleb128 = (bytes: Uint8Array, at: number): { value: number; next: number } | undefined => {
  let value = 0
  let scale = 1
  for (let i = at; i < bytes.length && i < at + 8; i++) {
    const b = bytes[i]!
    value += (b & 0x7f) * scale
    if ((b & 0x80) === 0) return { value, next: i + 1 }
    scale *= 128
  }
  return undefined
}

/**
 * Splits one change-list entry into its chunks and validates each the way Automerge would load
 * it: a change (plain or compressed) must decode with its checksum, a document must load, a
 * bundle must read. Accepts exactly the concatenations Automerge produces; refuses anything
 * that is not a whole sequence of valid chunks (trailing bytes included) - where the relay's
 * loadIncremental would silently keep a valid prefix and drop the rest. Never throws.
 */
export const checkAutomergeEntry = (entry: Uint8Array): ChunkCheck => {
  if (entry.byteLength === 0) return { ok: false, error: "empty change entry" }
  const chunks: AutomergeChunk[] = []
  for (let at = 0; at < entry.byteLength;) {
    const n = chunks.length
    if (entry.byteLength - at < 10) return { ok: false, error: `chunk ${n}: truncated header` }
    for (let i = 0; i < 4; i++)
      if (entry[at + i] !== MAGIC[i]) return { ok: false, error: `chunk ${n}: not an Automerge chunk (bad magic)` }
    const kind = KINDS[entry[at + 8]!]
    if (!kind) return { ok: false, error: `chunk ${n}: unknown chunk type ${entry[at + 8]}` }
    const len = uleb128(entry, at + 9)
    if (!len) return { ok: false, error: `chunk ${n}: bad length` }
    const end = len.next + len.value
    if (end > entry.byteLength) return { ok: false, error: `chunk ${n}: truncated (${kind})` }
    const bytes = entry.subarray(at, end)
    const checksum = Buffer.from(entry.subarray(at + 4, at + 8)).toString("hex")
    // A.decodeChange does not verify the checksum; Automerge's loader does (chunk.rs checksum_valid)
    if (
      kind !== "compressed-change" &&
      chunkHash(entry[at + 8]!, entry.subarray(len.next, end)).slice(0, 8) !== checksum
    )
      return { ok: false, error: `chunk ${n}: bad checksum (${kind})` }
    const hashes = chunkHashes(kind, bytes)
    if (typeof hashes === "string") return { ok: false, error: `chunk ${n}: invalid ${kind}: ${hashes}` }
    // a compressed change's checksum is that of the change it inflates to
    if (kind === "compressed-change" && hashes[0]?.slice(0, 8) !== checksum)
      return { ok: false, error: `chunk ${n}: bad checksum (${kind})` }
    chunks.push({ kind, bytes, hashes })
    at = end
  }
  return { ok: true, chunks }
}

/** sha256(type | uleb128(body length) | body) in hex: a chunk's hash, whose first 4 bytes are its checksum. */
const chunkHash = (type: number, body: Uint8Array): string => {
  const header = [type]
  let len = body.byteLength
  do {
    const b = len % 128
    len = Math.floor(len / 128)
    header.push(len > 0 ? b | 0x80 : b)
  } while (len > 0)
  return createHash("sha256").update(Uint8Array.from(header)).update(body).digest("hex")
}

/** The hashes a chunk carries, or the reason it does not load. */
const chunkHashes = (kind: ChunkKind, bytes: Uint8Array): string[] | string => {
  try {
    switch (kind) {
      case "change":
      case "compressed-change":
        return [A.decodeChange(bytes).hash]
      case "document":
        return documentHeads(bytes)
      case "bundle":
        return A.readBundle(bytes).changes.map(c => c.hash)
    }
  } catch (e) {
    return (e as Error).message
  }
}

/**
 * The heads of a saved document, loaded the way Automerge's loader checks it (every change's
 * hash, the heads it names) into a bare backend: A.load would also build the document's JS
 * object, two thirds of its cost, for a value nobody reads. A peer sends one for a document the
 * other end holds nothing of.
 */
export const documentHeads = (bytes: Uint8Array): string[] => {
  const doc = A.init<unknown>()
  try {
    const backend = A.getBackend(doc)
    backend.loadIncremental(bytes)
    return backend.getHeads()
  } finally {
    A.free(doc)
  }
}

/** Whether every chunk carries nothing but the change `hash` (a document: whose only head it is). */
export const carriesOnly = (chunks: AutomergeChunk[], hash: string): boolean =>
  chunks.every(c => c.hashes.length > 0 && c.hashes.every(h => h === hash))
