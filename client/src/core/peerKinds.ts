/** The relay's peer ids are `relay:<name>`, desks' `desk:<deskId>:<run>`. */
export const isRelayPeer = (peerId: string): boolean => peerId.startsWith("relay:")
export const peerKind = (peerId: string): "relay" | "desk" | "other" =>
  isRelayPeer(peerId) ? "relay" : peerId.startsWith("desk:") ? "desk" : "other"
