import type { Repo } from "@automerge/automerge-repo"
import { imm, staffMemberFromDoc, str, type StaffDoc, type StaffMember } from "@vetsync/shared"
import type pg from "pg"
import { getClinicStaff } from "../queries/staff.js"
import { openDoc } from "./openDoc.js"

const same = (a: StaffMember, b: StaffMember): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * Makes the clinic's server-owned `staff` document equal to PostgreSQL's `staff` rows (the master,
 * set with `vetsync staff add|set`): members that differ are rewritten whole, members PostgreSQL
 * does not have (a tampered desk's edit that got through) removed. A clinic with no staff is
 * published too (no members), so desks know the server has spoken. Returns whether the document changed.
 */
export const publishStaff = async (pool: pg.Pool, repo: Repo, clinicId: string): Promise<boolean> => {
  const staff = await getClinicStaff(pool, clinicId)
  if (!staff) return false
  const handle = await openDoc<StaffDoc>(repo, clinicId, "staff")
  const doc = handle.doc()
  const members = doc.members ?? {}
  const wanted = new Map(staff.map(m => [m.id, m]))
  const stale = Object.keys(members).filter(id => !wanted.has(id))
  const fresh = staff.filter(m => {
    const have = members[m.id]
    return !have || !same(staffMemberFromDoc(have), m) || str(have.workingHours) !== JSON.stringify(m.workingHours)
  })
  if (str(doc.publishedAt) !== "" && stale.length === 0 && fresh.length === 0) return false
  handle.change(d => {
    if (!d.members) d.members = {}
    for (const id of stale) delete d.members[id]
    for (const m of fresh)
      d.members[m.id] = {
        id: imm(m.id),
        name: imm(m.name),
        role: imm(m.role),
        active: m.active,
        pinHash: imm(m.pinHash),
        workingHours: imm(JSON.stringify(m.workingHours)),
      }
    d.publishedAt = imm(new Date().toISOString())
  })
  return true
}
