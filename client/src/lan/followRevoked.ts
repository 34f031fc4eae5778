import type { DocHandle } from "@automerge/automerge-repo"
import { revokedDesksOfDoc, type ProfileDoc } from "@vetsync/shared"
import type { LanNetwork } from "./LanNetwork.js"

/**
 * Keeps the LAN's revoked desks equal to the clinic profile's (the registry's revoked desks, as
 * the bridge publishes them; the profile is server-owned, so only the relay's copy counts): a
 * revoked desk is refused as a peer, and dropped when its revocation arrives. Returns the unsubscribe.
 */
export const followRevoked = (profile: DocHandle<ProfileDoc>, lan: LanNetwork): (() => void) => {
  const apply = (): void => lan.setRevoked(revokedDesksOfDoc(profile.doc()))
  profile.on("change", apply)
  apply()
  return () => void profile.off("change", apply)
}
