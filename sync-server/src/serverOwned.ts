import * as A from "@automerge/automerge"
import { SERVER_OWNED_KINDS, kindOfKey, type DocKey } from "@vetsync/shared"

/** Whether a chunk of a sync message (one change, or a whole document) holds nothing but the change `hash`. */
export const isOnly = (chunk: Uint8Array, hash: string): boolean => {
  try {
    return A.decodeChange(chunk).hash === hash
  } catch {
    // Automerge may send a whole document chunk instead of changes
  }
  try {
    const heads = A.getHeads(A.load(chunk))
    return heads.length === 1 && heads[0] === hash
  } catch {
    return false
  }
}

/** Price list and rejections: written by the bridge (a service) only. */
export const isServerOwned = (key: DocKey): boolean => {
  const kind = kindOfKey(key)
  return kind !== undefined && SERVER_OWNED_KINDS.includes(kind)
}
