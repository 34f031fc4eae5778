import type { DocHandle } from "@automerge/automerge-repo"
import type { ProfileDoc } from "@vetsync/shared"
import type { DeskEvent } from "../core/api.js"
import { DeskCore, type DeskOptions } from "../core/DeskCore.js"
import { AccessWatch, type AccessLost } from "./AccessWatch.js"
import type { LanDiscoveryOptions } from "../lan/LanDiscovery.js"
import { LanNetwork, type LanOptions } from "../lan/LanNetwork.js"
import { DeskSnapshot } from "../lan/DeskSnapshot.js"
import { followRevoked } from "../lan/followRevoked.js"
import type { LanIdentity } from "../lan/lanTls.js"

/** How long a new desk waits for the relay's snapshot before it asks a LAN peer, by default (VETSYNC_LAN_BOOTSTRAP_AFTER) */
export const LAN_BOOTSTRAP_AFTER_MS = 15_000

/** How long a LAN peer may take to answer a snapshot request (it builds the snapshot first) */
const LAN_ANSWER_MS = 60_000

/** An open desk core as the desk process holds it: its events passed on, and watched for the relay turning it away. */
export class OpenDesk {
  readonly #off: () => void
  readonly #watch: AccessWatch

  readonly #lan: LanNetwork | undefined

  private constructor(
    readonly core: DeskCore,
    lan: LanNetwork | undefined,
    onEvent: (e: DeskEvent) => void,
    onLost: (lost: AccessLost) => void,
  ) {
    this.#lan = lan
    this.#watch = new AccessWatch(core, onLost)
    this.#off = core.onEvent(e => {
      onEvent(e)
      if (e.type === "status") this.#watch.status(e.status)
    })
  }

  /**
   * Opens the core; with `lan` (opt-in) its LAN sync's adapters go to the core's Repo next to the
   * relay's, and with `lan.mdns` the desks mDNS finds later join them.
   */
  static async open(
    options: DeskOptions,
    on: { event: (e: DeskEvent) => void; lost: (lost: AccessLost) => void },
    lan?: { id: LanIdentity; options: LanOptions; mdns?: LanDiscoveryOptions; bootstrapAfterMs?: number },
  ): Promise<OpenDesk> {
    const network = lan ? await LanNetwork.start(lan.id, lan.options) : undefined
    try {
      const afterMs = lan?.bootstrapAfterMs ?? LAN_BOOTSTRAP_AFTER_MS
      const core = await DeskCore.open(
        network
          ? {
              ...options,
              network: [...(options.network ?? []), ...network.adapters],
              lanBootstrap: { afterMs, sources: () => network.snapshotSources(LAN_ANSWER_MS) },
            }
          : options,
      )
      if (network) {
        // a new desk of the clinic may take its snapshot from this one (issue 15)
        network.server.serveSnapshots(new DeskSnapshot(core))
        network.onAdapter(a => core.docs.addNetwork(a))
        network.onAdapterRemoved(a => core.docs.removeNetwork(a))
        if (lan?.mdns) network.discover(lan.mdns)
        // the clinic's revoked desks, as the bridge publishes them in the profile: refused as LAN peers
        followRevoked((await core.docs.open("profile")) as DocHandle<ProfileDoc>, network)
      }
      return new OpenDesk(core, network, on.event, on.lost)
    } catch (e) {
      await network?.close()
      throw e
    }
  }

  async close(): Promise<void> {
    this.#off()
    this.#watch.close()
    await this.core.close()
    await this.#lan?.close()
  }
}
