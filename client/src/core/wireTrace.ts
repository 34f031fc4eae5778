import * as A from "@automerge/automerge"
import type { Message } from "@automerge/automerge-repo"

const short = (h: string): string => h.slice(0, 8)

/**
 * One line about a message crossing a desk's network adapter (VETSYNC_DEBUG=wire): its direction,
 * sender and target, document, and for a sync message the heads it names, the changes it carries,
 * the hashes it needs and the heads its have-filter starts from.
 */
export const wireLine = (direction: "in" | "out", m: Message): string => {
  const doc = "documentId" in m && m.documentId ? m.documentId : "-"
  let detail = ""
  if ((m.type === "sync" || m.type === "request") && "data" in m && m.data instanceof Uint8Array) {
    const d = A.decodeSyncMessage(m.data)
    const have = d.have.map(h => h.lastSync.map(short).join("+")).join(";")
    detail = ` heads=${d.heads.map(short).join(",")} changes=${d.changes.length} need=${d.need.length} have=${have}`
  }
  return `wire ${direction} ${m.type} ${m.senderId} -> ${m.targetId} ${doc}${detail}`
}
