import type { Repo } from "@automerge/automerge-repo"
import { imm, str, type RejectionsDoc } from "@vetsync/shared"
import type pg from "pg"
import { listRejections } from "../queries/rejections.js"
import { openDoc } from "./openDoc.js"

/**
 * Writes the clinic's rejections table into its server-owned `rejections` document:
 * key "invoices/<uuid>", reason, when, and the record's updatedAt at rejection (a later
 * edit on a desk supersedes it). Entries whose record has since projected are removed.
 * Returns whether the document changed.
 */
export const publishRejections = async (pool: pg.Pool, repo: Repo, clinicId: string): Promise<boolean> => {
  const rows = await listRejections(pool, clinicId)
  const handle = await openDoc<RejectionsDoc>(repo, clinicId, "rejections")
  const want = new Map(
    rows.map(r => [
      `${r.collection}/${r.record_id}`,
      {
        key: `${r.collection}/${r.record_id}`,
        reason: r.reason,
        at: r.rejected_at.toISOString(),
        recordUpdatedAt: r.record_updated_at,
      },
    ]),
  )
  const current = handle.doc().rejections ?? {}
  const stale = Object.keys(current).filter(k => !want.has(k))
  const fresh = [...want.values()].filter(w => {
    const c = current[w.key]
    return !c || str(c.reason) !== w.reason || str(c.recordUpdatedAt) !== w.recordUpdatedAt
  })
  if (stale.length === 0 && fresh.length === 0) return false
  handle.change(d => {
    if (!d.rejections) d.rejections = {}
    for (const k of stale) delete d.rejections[k]
    for (const w of fresh)
      d.rejections[w.key] = {
        key: imm(w.key),
        reason: imm(w.reason),
        at: imm(w.at),
        recordUpdatedAt: imm(w.recordUpdatedAt),
      }
  })
  return true
}
