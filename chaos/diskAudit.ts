import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import * as A from "@automerge/automerge"
import { appointmentsKey, clientShardKey, docIdFor, genesisBinary, invoicesKey, type Collection, type DocKey } from "@vetsync/shared"
import { CHAOS_TIME_ZONE } from "./registry.js"

/**
 * The document a record lives in, from what the ledger knows of it (undefined when it cannot say);
 * appointments and invoices by their month in the clinic's time zone (CHAOS_TIME_ZONE).
 */
export const docKeyOf = (collection: Collection, id: string, created: (field: string) => unknown): DocKey | undefined => {
  const text = (f: string): string | undefined => (typeof created(f) === "string" ? (created(f) as string) : undefined)
  switch (collection) {
    case "clients":
      return clientShardKey(id)
    case "patients": {
      const clientId = text("clientId")
      return clientId ? clientShardKey(clientId) : undefined
    }
    case "appointments": {
      const start = text("start")
      return start ? appointmentsKey(start, CHAOS_TIME_ZONE) : undefined
    }
    case "invoices": {
      const issued = text("issuedAt")
      return issued ? invoicesKey(issued, CHAOS_TIME_ZONE) : undefined
    }
  }
}

/**
 * What a desk's disk holds of one document right now (chunk files as the desk's storage lays them
 * out: docs/<2 chars of the id>/<the rest>/{snapshot,incremental}/<hash>), and whether the merged
 * chunks (on the document's genesis) contain the record: tells a record missing from memory from
 * one missing from the disk.
 */
export const auditDisk = (dataDir: string, clinicId: string, key: DocKey, collection: Collection, id: string): string => {
  const docId = docIdFor(clinicId, key)
  const dir = join(dataDir, "docs", docId.slice(0, 2), docId.slice(2))
  const chunks: { kind: string; size: number; mtime: string; bytes: Uint8Array }[] = []
  for (const kind of ["snapshot", "incremental"])
    try {
      for (const f of readdirSync(join(dir, kind))) {
        if (f.includes(".tmp")) continue
        const file = join(dir, kind, f)
        chunks.push({ kind, size: statSync(file).size, mtime: statSync(file).mtime.toISOString().slice(11, 23), bytes: readFileSync(file) })
      }
    } catch {
      // no such kind of chunk yet
    }
  let present = "unknown"
  try {
    // every copy of a layout document starts from its genesis, which a disk need not hold
    let doc = A.load<Record<string, Record<string, unknown>>>(genesisBinary(clinicId, key))
    for (const c of chunks) doc = A.loadIncremental(doc, c.bytes)
    present = doc[collection]?.[id] !== undefined ? "yes" : "NO"
  } catch (e) {
    present = `unreadable (${(e as Error).message})`
  }
  const list = chunks.map(c => `${c.kind[0]}:${c.size}B@${c.mtime}`).join(" ")
  return `disk of ${key} (${docId}) at ${new Date().toISOString().slice(11, 23)}: ${chunks.length} chunks [${list}]; record on disk: ${present}`
}
