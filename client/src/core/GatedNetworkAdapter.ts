import {
  NetworkAdapter,
  type Message,
  type NetworkAdapterInterface,
  type PeerId,
  type PeerMetadata,
} from "@automerge/automerge-repo"
import type { MessageGate } from "./MessageGate.js"
import { wireLine } from "./wireTrace.js"

/** A network adapter in front of another whose incoming document messages pass a MessageGate. */
export class GatedNetworkAdapter extends NetworkAdapter {
  readonly inner: NetworkAdapterInterface
  readonly #gate: MessageGate
  readonly #trace: ((line: string) => void) | undefined

  /** `trace`: a line per message in and out (VETSYNC_DEBUG=wire) */
  constructor(inner: NetworkAdapterInterface, gate: MessageGate, trace?: (line: string) => void) {
    super()
    this.inner = inner
    this.#gate = gate
    this.#trace = trace
    inner.on("message", m => {
      if (this.#trace) this.#trace(wireLine("in", m))
      this.#gate.pass(m, msg => this.emit("message", msg))
    })
    inner.on("peer-candidate", e => this.emit("peer-candidate", e))
    inner.on("peer-disconnected", e => this.emit("peer-disconnected", e))
    inner.on("close", () => this.emit("close"))
  }

  isReady(): boolean {
    return this.inner.isReady()
  }

  whenReady(): Promise<void> {
    return this.inner.whenReady()
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata
    this.inner.connect(peerId, peerMetadata)
  }

  send(message: Message): void {
    if (this.#trace) this.#trace(wireLine("out", message))
    this.inner.send(message)
  }

  disconnect(): void {
    this.inner.disconnect()
  }
}
