import type * as A from "@automerge/automerge"

/** The sync state's binary form (automerge's MESSAGE_TYPE_SYNC_STATE): only its shared heads. */
const SYNC_STATE = 0x43

/**
 * An encoded sync state (A.decodeSyncState takes it) whose shared heads are `heads`, the rest as
 * after a fresh start: a sync message generated from it names the document's heads and a
 * have-filter of nothing since them, without the bloom filter of the whole history a fresh sync
 * state sends.
 */
export const syncStateOf = (heads: A.Heads): Uint8Array => {
  const bytes = [SYNC_STATE, ...uleb(heads.length)]
  for (const h of heads) {
    if (!/^[0-9a-f]{64}$/.test(h)) throw new Error(`not a change hash: ${h}`)
    bytes.push(...Buffer.from(h, "hex"))
  }
  return new Uint8Array(bytes)
}

const uleb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}
