import type { Repo } from "@automerge/automerge-repo"
import { PROFILE_FIELDS, imm, profileOfDoc, type ProfileDoc } from "@vetsync/shared"
import type pg from "pg"
import { getClinicProfile } from "../queries/clinicProfile.js"
import { openDoc } from "./openDoc.js"

/**
 * Makes the clinic's server-owned `profile` document equal to PostgreSQL (the master: `clinics.name`
 * and `clinic_profiles`, set with `vetsync clinics set`): the fields that differ are rewritten,
 * anything else in the document's profile (a tampered desk's edit that got through) removed. A
 * clinic with no profile row is published too (its name, the rest ""), so desks know the server
 * has spoken. Returns whether the document changed.
 */
export const publishProfile = async (pool: pg.Pool, repo: Repo, clinicId: string): Promise<boolean> => {
  const profile = await getClinicProfile(pool, clinicId)
  if (!profile) return false
  const handle = await openDoc<ProfileDoc>(repo, clinicId, "profile")
  const doc = handle.doc()
  const current = profileOfDoc(doc)
  const stale = Object.keys(doc.profile ?? {}).filter(k => !(PROFILE_FIELDS as readonly string[]).includes(k))
  const fresh = PROFILE_FIELDS.filter(f => current?.[f] !== profile[f])
  if (current !== null && stale.length === 0 && fresh.length === 0) return false
  handle.change(d => {
    if (!d.profile) d.profile = {}
    const target = d.profile as Record<string, unknown>
    for (const k of stale) delete target[k]
    for (const f of fresh) d.profile[f] = imm(profile[f])
    d.publishedAt = imm(new Date().toISOString())
  })
  return true
}
