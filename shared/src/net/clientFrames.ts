import * as A from "@automerge/automerge"
import { checkAutomergeEntry, type AutomergeChunk } from "./automergeChunks.js"
import { cbor, isValidDocumentId, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo"

/** The websocket protocol version both ends speak (automerge-repo-network-websocket "1"). */
export const PROTOCOL_V1 = "1"

export interface JoinFrame {
  type: "join"
  senderId: PeerId
  peerMetadata: PeerMetadata
  supportedProtocolVersions?: string[]
}

/** A document message after validation; `heads` and `chunks` are the sender's heads and the Automerge chunks carried (sync/request). */
export interface DocFrame {
  type: "sync" | "request" | "ephemeral" | "doc-unavailable"
  message: Message & { documentId: string; targetId: PeerId }
  heads: string[]
  chunks: AutomergeChunk[]
}

export type ParsedFrame =
  | { ok: true; kind: "join"; join: JoinFrame }
  | { ok: true; kind: "doc"; doc: DocFrame }
  | { ok: true; kind: "ignored"; type: string }
  | { ok: false; error: string }

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)

const IGNORED = new Set(["remote-subscription-change", "remote-heads-changed"])

/**
 * Decodes and validates one binary frame from a client: CBOR, an object with a string
 * `type` and `senderId`, and the fields each message type needs. Sync and request data
 * must be a decodable Automerge sync message (so a bad one is refused here rather than
 * thrown inside a document handle). The message handed on holds only the validated fields. Never throws.
 */
export const parseClientFrame = (bytes: Uint8Array): ParsedFrame => {
  if (bytes.byteLength === 0) return { ok: false, error: "empty frame" }
  let decoded: unknown
  try {
    decoded = cbor.decode(bytes)
  } catch (e) {
    return { ok: false, error: `undecodable frame: ${(e as Error).message}` }
  }
  if (!isRecord(decoded)) return { ok: false, error: "frame is not a message object" }
  const { type, senderId } = decoded
  if (typeof type !== "string" || typeof senderId !== "string" || senderId === "")
    return { ok: false, error: "message without type or senderId" }

  if (type === "join") {
    const { peerMetadata, supportedProtocolVersions } = decoded
    if (peerMetadata !== undefined && !isRecord(peerMetadata)) return { ok: false, error: "invalid peerMetadata" }
    if (
      supportedProtocolVersions !== undefined &&
      (!Array.isArray(supportedProtocolVersions) || !supportedProtocolVersions.every(v => typeof v === "string"))
    )
      return { ok: false, error: "invalid supportedProtocolVersions" }
    const meta: PeerMetadata = {}
    if (isRecord(peerMetadata)) {
      if (typeof peerMetadata.storageId === "string")
        meta.storageId = peerMetadata.storageId as PeerMetadata["storageId"]
      if (typeof peerMetadata.isEphemeral === "boolean") meta.isEphemeral = peerMetadata.isEphemeral
    }
    const join: JoinFrame = { type: "join", senderId: senderId as PeerId, peerMetadata: meta }
    if (supportedProtocolVersions) join.supportedProtocolVersions = supportedProtocolVersions
    return { ok: true, kind: "join", join }
  }

  if (IGNORED.has(type)) return { ok: true, kind: "ignored", type }

  if (type !== "sync" && type !== "request" && type !== "ephemeral" && type !== "doc-unavailable")
    return { ok: false, error: `unknown message type ${JSON.stringify(type).slice(0, 40)}` }
  const { documentId, targetId, data } = decoded
  if (!isValidDocumentId(documentId)) return { ok: false, error: "invalid documentId" }
  if (typeof targetId !== "string") return { ok: false, error: "invalid targetId" }
  let heads: string[] = []
  const chunks: AutomergeChunk[] = []
  if (type !== "doc-unavailable") {
    if (!(data instanceof Uint8Array) || data.byteLength === 0) return { ok: false, error: "missing data" }
    if (type === "ephemeral") {
      const { count, sessionId } = decoded
      if (typeof count !== "number" || typeof sessionId !== "string")
        return { ok: false, error: "invalid ephemeral message" }
      // the relay forwards ephemeral data to other desks, which CBOR-decode it: refuse junk here
      try {
        cbor.decode(data)
      } catch (e) {
        return { ok: false, error: `invalid ephemeral data: ${(e as Error).message}` }
      }
    } else {
      let entries: Uint8Array[]
      try {
        const decodedSync = A.decodeSyncMessage(data)
        heads = decodedSync.heads
        entries = decodedSync.changes
      } catch (e) {
        return { ok: false, error: `invalid sync message: ${(e as Error).message}` }
      }
      for (const [i, entry] of entries.entries()) {
        const checked = checkAutomergeEntry(entry)
        if (!checked.ok) return { ok: false, error: `invalid sync message: entry ${i}: ${checked.error}` }
        chunks.push(...checked.chunks)
      }
    }
  }
  // rebuilt from the validated fields only: whatever else a client put in the object (a
  // `data: null` on doc-unavailable crashes the 2.5.6 synchronizer's logging) never reaches the repo
  const clean: Record<string, unknown> = { type, senderId, targetId, documentId }
  if (type !== "doc-unavailable") clean.data = data
  if (type === "ephemeral") {
    clean.count = decoded.count
    clean.sessionId = decoded.sessionId
  }
  const message = clean as unknown as DocFrame["message"]
  return { ok: true, kind: "doc", doc: { type, message, heads, chunks } }
}

/** CBOR-encodes a message for the wire, as an ArrayBuffer-backed view of exactly its bytes. */
export const encodeFrame = (message: object): Uint8Array => {
  const bytes = cbor.encode(message)
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}
