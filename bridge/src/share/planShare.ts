import { createHash } from "node:crypto"

/** What a bridge knows at one round of the share: everything read from PostgreSQL just before. */
export interface ShareState {
  /** this bridge's lease holder id */
  me: string
  /** the bridges taking part (unexpired lease_members), `me` included or not */
  members: readonly string[]
  /** every clinic to be projected */
  clinics: readonly string[]
  /** unexpired bridge leases: clinic -> holder (`me`'s own included) */
  holders: ReadonlyMap<string, string>
}

/** What to do this round: leases to give back (first), then leases to try to take. */
export interface SharePlan {
  /** how many clinics this bridge should hold once the share settles */
  target: number
  release: string[]
  take: string[]
}

/** The order in which `me` tries free clinics: its own (rendezvous hash) order, so bridges starting together seldom collide. */
const rank = (me: string, clinic: string): string => createHash("sha1").update(`${me}\0${clinic}`).digest("hex")

/**
 * Each member's fair share of the clinics: the members sorted, the first `clinics % members` get
 * one more. The targets add up to the clinics, so once every bridge has acted on its plan each
 * clinic is held by exactly one bridge and the bridges hold floor or ceil of an even share.
 */
export const shareTarget = (me: string, members: readonly string[], clinics: number): number => {
  const all = [...new Set([...members, me])].sort()
  const i = all.indexOf(me)
  return Math.floor(clinics / all.length) + (i < clinics % all.length ? 1 : 0)
}

/**
 * One round of a bridge's part in sharing the clinics out (pure): give back what it holds beyond
 * its target (the clinics last in its own order), and try to take free clinics (no unexpired
 * lease) up to its target. It never takes a clinic another bridge holds, so a clinic changes
 * hands only when its holder gave it back or stopped renewing it.
 */
export const planShare = (s: ShareState): SharePlan => {
  const known = new Set(s.clinics)
  const target = shareTarget(s.me, s.members, known.size)
  const mine = [...known]
    .filter(c => s.holders.get(c) === s.me)
    .sort((a, b) => rank(s.me, a).localeCompare(rank(s.me, b)))
  const release = mine.slice(target)
  const free = [...known]
    .filter(c => !s.holders.has(c))
    .sort((a, b) => rank(s.me, a).localeCompare(rank(s.me, b)))
  const take = free.slice(0, Math.max(0, target - mine.length))
  return { target, release, take }
}
