import type { PeerIdentity as Identity } from "./peerIdentity.js"

const MAX_PEER_ID = 256

/**
 * Whether a peer id may be used by a connection of this identity. Desk peers are
 * `desk:<deskId>:<anything>`, services `service:<name>:<anything>`; the suffix is chosen per
 * run so that a restarted desk gets fresh sync states on the relay.
 */
export const peerIdMatchesIdentity = (peerId: string, identity: Identity): boolean => {
  if (peerId.length > MAX_PEER_ID) return false
  const prefix = `${identity.role}:${identity.deskId}:`
  return peerId.startsWith(prefix) && peerId.length > prefix.length
}

/** Peer ids of relays start with `relay:`. */
export const isRelayPeerId = (peerId: string): boolean => peerId.startsWith("relay:")
