import { cbor, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo"
import type { RawData } from "ws"

export type RelayFrame =
  | { kind: "peer"; peerId: PeerId; peerMetadata: PeerMetadata }
  | { kind: "error"; message: string }
  /** the relay's copy of the document holds `heads` and is on its disk */
  | { kind: "durable"; documentId: string; heads: string[] }
  | { kind: "message"; message: Message }
  | { kind: "invalid"; reason: string }

/** Decodes one frame from the relay (CBOR: peer, error or a repo message). Never throws. */
export const decodeRelayFrame = (data: RawData): RelayFrame => {
  let decoded: unknown
  try {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
    decoded = cbor.decode(bytes)
  } catch (e) {
    return { kind: "invalid", reason: `undecodable message: ${(e as Error).message}` }
  }
  if (typeof decoded !== "object" || decoded === null) return { kind: "invalid", reason: "not a message object" }
  const m = decoded as { type?: unknown; senderId?: unknown; message?: unknown; peerMetadata?: unknown }
  if (typeof m.type !== "string" || typeof m.senderId !== "string")
    return { kind: "invalid", reason: "no type or senderId" }
  if (m.type === "peer") {
    const peerMetadata = (
      typeof m.peerMetadata === "object" && m.peerMetadata !== null ? m.peerMetadata : {}
    ) as PeerMetadata
    return { kind: "peer", peerId: m.senderId as PeerId, peerMetadata }
  }
  if (m.type === "error") return { kind: "error", message: String(m.message) }
  if (m.type === "durable") {
    const { documentId, heads } = decoded as { documentId?: unknown; heads?: unknown }
    if (typeof documentId !== "string" || !Array.isArray(heads) || !heads.every(h => typeof h === "string"))
      return { kind: "invalid", reason: "malformed durable frame" }
    return { kind: "durable", documentId, heads: heads }
  }
  return { kind: "message", message: decoded as Message }
}
