import type { Repo } from "@automerge/automerge-repo"
import { PROFILE_FIELDS, imm, profileOfDoc, type ProfileDoc } from "@vetsync/shared"
import type pg from "pg"
import { getClinicProfile, getRevokedDesks } from "../queries/clinicProfile.js"
import { openDoc } from "./openDoc.js"

/**
 * Makes the clinic's server-owned `profile` document equal to PostgreSQL (the master: `clinics.name`
 * and `clinic_profiles`, set with `vetsync clinics set`): the fields that differ are rewritten,
 * anything else in the document's profile (a tampered desk's edit that got through) removed. A
 * clinic with no profile row is published too (its name, the rest ""), so desks know the server
 * has spoken. Its `revokedDesks` are the registry's revoked desks of the clinic (desks refuse them
 * as LAN peers), likewise made equal. Returns whether the document changed.
 */
export const publishProfile = async (pool: pg.Pool, repo: Repo, clinicId: string): Promise<boolean> => {
  const profile = await getClinicProfile(pool, clinicId)
  if (!profile) return false
  const revoked = await getRevokedDesks(pool, clinicId)
  const handle = await openDoc<ProfileDoc>(repo, clinicId, "profile")
  const doc = handle.doc()
  const current = profileOfDoc(doc)
  const stale = Object.keys(doc.profile ?? {}).filter(k => !(PROFILE_FIELDS as readonly string[]).includes(k))
  const fresh = PROFILE_FIELDS.filter(f => current?.[f] !== profile[f])
  const published = doc.revokedDesks ?? {}
  const unrevoked = Object.keys(published).filter(k => revoked[k] === undefined)
  const newlyRevoked = Object.keys(revoked).filter(k => published[k]?.val !== revoked[k])
  const revokedSame = doc.revokedDesks !== undefined && unrevoked.length === 0 && newlyRevoked.length === 0
  if (current !== null && stale.length === 0 && fresh.length === 0 && revokedSame) return false
  handle.change(d => {
    if (!d.revokedDesks) d.revokedDesks = {}
    for (const k of unrevoked) delete d.revokedDesks[k]
    for (const k of newlyRevoked) d.revokedDesks[k] = imm(revoked[k]!)
    if (!d.profile) d.profile = {}
    const target = d.profile as Record<string, unknown>
    for (const k of stale) delete target[k]
    for (const f of fresh) d.profile[f] = imm(profile[f])
    d.publishedAt = imm(new Date().toISOString())
  })
  return true
}
