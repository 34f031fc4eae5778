import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo"

/**
 * The relay binds a peer id to the identity its socket authenticated as: a desk must join as
 * `desk:<deskId>:<run>` (peerIds.ts). automerge-repo's network adapter acceptance suite uses
 * bare names ("alice", "a", "left") for every peer. So that the suite runs unchanged, the setup
 * wraps each adapter in one of these: the desk's wrapper joins as `desk:<deskId>:<name>` and
 * sends as that peer; the relay's wrapper shows the suite the bare name again. Nothing else is
 * touched: every message and event goes through our real adapters and a real socket, and only
 * the peer ids of desks are rewritten on the way in and out.
 */
export class PeerIdBinding extends NetworkAdapter {
  readonly #inner: NetworkAdapter
  readonly #side: "desk" | "relay"
  readonly #prefix: string

  readonly #ready: (() => Promise<void>) | undefined

  /**
   * `side`: which end `inner` is; `deskId`: the identity every desk socket authenticates as;
   * `ready`: what else whenReady() waits for, besides `inner`.
   */
  constructor(inner: NetworkAdapter, side: "desk" | "relay", deskId: string, ready?: () => Promise<void>) {
    super()
    this.#inner = inner
    this.#ready = ready
    this.#side = side
    this.#prefix = `desk:${deskId}:`
    const desk = (id: PeerId): PeerId => this.#bare(id)
    inner.on("message", m =>
      this.emit(
        "message",
        side === "desk" ? { ...m, targetId: desk(m.targetId) } : { ...m, senderId: desk(m.senderId) },
      ),
    )
    inner.on("peer-candidate", e => this.emit("peer-candidate", side === "desk" ? e : { ...e, peerId: desk(e.peerId) }))
    inner.on("peer-disconnected", e =>
      this.emit("peer-disconnected", side === "desk" ? e : { ...e, peerId: desk(e.peerId) }),
    )
    inner.on("close", () => this.emit("close"))
  }

  isReady(): boolean {
    return this.#inner.isReady()
  }

  async whenReady(): Promise<void> {
    await this.#inner.whenReady()
    await this.#ready?.()
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata
    this.#inner.connect(this.#side === "desk" ? this.#bound(peerId) : peerId, peerMetadata)
  }

  send(message: Message): void {
    this.#inner.send(
      this.#side === "desk"
        ? { ...message, senderId: this.#bound(message.senderId) }
        : { ...message, targetId: this.#bound(message.targetId) },
    )
  }

  disconnect(): void {
    this.#inner.disconnect()
  }

  #bound(name: PeerId): PeerId {
    return `${this.#prefix}${name}` as PeerId
  }

  #bare(id: PeerId): PeerId {
    return (id.startsWith(this.#prefix) ? id.slice(this.#prefix.length) : id) as PeerId
  }
}
