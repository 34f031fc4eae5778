/**
 * Child process of storage-crash.test.ts: writes one document's chunks in the layout
 * automerge-repo's StorageSubsystem uses (a snapshot, then one incremental per change,
 * key = sha256 of the chunk), through SafeFsStorageAdapter (fsync on), and prints
 * "ack <i>" once the save of change i has resolved. Runs until killed.
 * Usage: node --import tsx storage-crash-writer.ts <dir> <documentId>
 */
import { createHash, randomBytes } from "node:crypto"
import * as A from "@automerge/automerge"
import { SafeFsStorageAdapter } from "@vetsync/shared"

const [dir, docId] = process.argv.slice(2)
if (!dir || !docId) throw new Error("usage: storage-crash-writer <dir> <documentId>")

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex")
const headsHash = (heads: string[]): string => sha256(Buffer.from(heads.join("")))

const adapter = new SafeFsStorageAdapter(dir)
let doc = A.from<Record<string, unknown>>({ n: 0 })
await adapter.save([docId, "snapshot", headsHash(A.getHeads(doc))], A.save(doc))
process.stdout.write("ready\n")
for (let i = 0; ; i++) {
  const before = A.getHeads(doc)
  // ~200 KB per change so that a kill usually lands in the middle of a write
  doc = A.change(doc, d => {
    d[`k${i}`] = new A.ImmutableString(randomBytes(100_000).toString("hex"))
    d.n = i + 1
  })
  const chunk = A.saveSince(doc, before)
  await adapter.save([docId, "incremental", sha256(chunk)], chunk)
  process.stdout.write(`ack ${i}\n`)
}
