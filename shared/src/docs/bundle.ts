/**
 * A bundle of whole documents: how a relay hands a new desk every document of a clinic in one
 * response, so the desk writes them to disk instead of replaying each through the sync
 * protocol. Layout: "VSB1", then per document: u16 key length, key (utf-8), u16 id length,
 * document id (utf-8), u32 length, Automerge.save() bytes.
 */
export interface BundleEntry {
  key: string
  docId: string
  bytes: Uint8Array
}

const MAGIC = "VSB1"

/** A bundle's first bytes, before its entries (a bundle written as it goes: bundleStart, then bundleEntry per document). */
export const bundleStart = (): Buffer => Buffer.from(MAGIC, "ascii")

/** One document of a bundle, as it follows the others: its head (key, id, length) and its bytes. */
export const bundleEntry = (e: BundleEntry): [Buffer, Buffer] => {
  const key = Buffer.from(e.key, "utf8")
  const id = Buffer.from(e.docId, "utf8")
  const head = Buffer.alloc(2 + key.length + 2 + id.length + 4)
  let o = head.writeUInt16BE(key.length, 0)
  o += key.copy(head, o)
  o = head.writeUInt16BE(id.length, o)
  o += id.copy(head, o)
  head.writeUInt32BE(e.bytes.length, o)
  return [head, Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength)]
}

export const encodeBundle = (entries: readonly BundleEntry[]): Buffer => Buffer.concat([bundleStart(), ...entries.flatMap(bundleEntry)])

export const decodeBundle = (buf: Uint8Array): BundleEntry[] => {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  if (b.subarray(0, 4).toString("ascii") !== MAGIC) throw new Error("not a document bundle")
  const out: BundleEntry[] = []
  let o = 4
  const need = (n: number): void => {
    if (o + n > b.length) throw new Error("truncated document bundle")
  }
  while (o < b.length) {
    need(2)
    const kl = b.readUInt16BE(o)
    o += 2
    need(kl)
    const key = b.subarray(o, o + kl).toString("utf8")
    o += kl
    need(2)
    const il = b.readUInt16BE(o)
    o += 2
    need(il)
    const docId = b.subarray(o, o + il).toString("utf8")
    o += il
    need(4)
    const n = b.readUInt32BE(o)
    o += 4
    need(n)
    out.push({ key, docId, bytes: new Uint8Array(b.subarray(o, o + n)) })
    o += n
  }
  return out
}
