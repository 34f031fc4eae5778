import type { DeskEvent } from "../core/api.js"
import { DeskCore, type DeskOptions } from "../core/DeskCore.js"
import { AccessWatch, type AccessLost } from "./AccessWatch.js"

/** An open desk core as the desk process holds it: its events passed on, and watched for the relay turning it away. */
export class OpenDesk {
  readonly #off: () => void
  readonly #watch: AccessWatch

  private constructor(
    readonly core: DeskCore,
    onEvent: (e: DeskEvent) => void,
    onLost: (lost: AccessLost) => void,
  ) {
    this.#watch = new AccessWatch(core, onLost)
    this.#off = core.onEvent(e => {
      onEvent(e)
      if (e.type === "status") this.#watch.status(e.status)
    })
  }

  static async open(options: DeskOptions, on: { event: (e: DeskEvent) => void; lost: (lost: AccessLost) => void }): Promise<OpenDesk> {
    return new OpenDesk(await DeskCore.open(options), on.event, on.lost)
  }

  async close(): Promise<void> {
    this.#off()
    this.#watch.close()
    await this.core.close()
  }
}
