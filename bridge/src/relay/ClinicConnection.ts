import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo"
import type { ResilientWebSocketClientAdapter } from "@vetsync/shared/net"

/**
 * The bridge's connection to the relay serving one clinic, as the bridge's Repo sees it.
 *
 * Each clinic has its own socket (a ResilientWebSocketClientAdapter to the shared address, naming
 * the clinic: the relay holding the clinic's lease lets it in, any other sends it there with a
 * 307, and after a failover the shared address decides again). Several clinics' sockets may end at
 * the same relay, which answers each join with the same peer id, and the relay keeps one socket per
 * peer id; so each socket joins as `<the repo's peer id>:<clinic>`, and the relay behind it appears
 * to the Repo as `<relay peer id>@<clinic>`: one peer per clinic, which the bridge's share rule lets
 * see only that clinic's documents. Messages are addressed over accordingly. Ephemeral messages
 * (the relay forwards other peers' presence) are not the bridge's business and are dropped.
 */
export class ClinicConnection extends NetworkAdapter {
  readonly clinicId: string
  readonly socket: ResilientWebSocketClientAdapter
  /** the relay's own peer id while joined, and how the Repo knows it */
  #remote: PeerId | undefined
  #alias: PeerId | undefined
  /** this socket's own peer id at the relay */
  #local: PeerId | undefined

  constructor(clinicId: string, socket: ResilientWebSocketClientAdapter) {
    super()
    this.clinicId = clinicId
    this.socket = socket
    socket.on("peer-candidate", ({ peerId, peerMetadata }) => {
      this.#remote = peerId
      this.#alias = aliasOf(peerId, clinicId)
      this.emit("peer-candidate", { peerId: this.#alias, peerMetadata })
    })
    socket.on("peer-disconnected", () => {
      const alias = this.#alias
      this.#remote = this.#alias = undefined
      if (alias !== undefined) this.emit("peer-disconnected", { peerId: alias })
    })
    socket.on("message", message => {
      if (this.#alias === undefined || this.peerId === undefined) return
      if (message.type === "ephemeral" || message.senderId !== this.#remote) return
      this.emit("message", { ...message, senderId: this.#alias, targetId: this.peerId })
    })
  }

  /** The Repo's peer for this clinic's relay while joined. */
  get alias(): PeerId | undefined {
    return this.#alias
  }

  isReady(): boolean {
    return this.socket.isReady()
  }

  whenReady(): Promise<void> {
    return this.socket.whenReady()
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? this.peerMetadata
    this.#local = `${peerId}:${this.clinicId}` as PeerId
    this.socket.connect(this.#local, peerMetadata)
  }

  send(message: Message): void {
    if (message.type === "ephemeral") return
    const remote = this.#remote
    const local = this.#local
    if (remote === undefined || local === undefined || message.targetId !== this.#alias) return
    this.socket.send({ ...message, senderId: local, targetId: remote })
  }

  disconnect(): void {
    this.socket.disconnect()
  }
}

/** How the Repo knows the relay `relayPeerId` as the clinic's peer. */
export const aliasOf = (relayPeerId: PeerId, clinicId: string): PeerId => `${relayPeerId}@${clinicId}` as PeerId

/** The clinic of a peer id made by aliasOf, if it is one. */
export const clinicOfAlias = (peerId: PeerId): string | undefined => {
  const at = peerId.lastIndexOf("@")
  return peerId.startsWith("relay:") && at > 0 ? peerId.slice(at + 1) : undefined
}
