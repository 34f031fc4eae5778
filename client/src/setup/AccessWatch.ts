import type { DeskStatus } from "../core/api.js"
import type { DeskOptions } from "../core/DeskCore.js"
import { parseRelayAddress } from "./relayAddress.js"
import { credentialAccepted, enrolmentOffered } from "./relayProbe.js"

export interface AccessLost {
  /** revoked: the relay no longer takes the credential; needs-enrolment: a desk without one faces a registry */
  kind: "revoked" | "needs-enrolment"
  /** when the sync problem began (ISO) */
  since: string
}

/**
 * Watches an open desk's sync status for the relay refusing it. A refusal alone is not proof (the
 * relay also refuses a bad message, and a revoked desk's adapter waits a minute before it hears
 * 401), so the watch asks the relay: with a credential, whether it still takes it; without one,
 * whether it enrols desks. Only a clear answer is reported, once per `minGapMs` at most.
 */
export class AccessWatch {
  #checking = false
  #lastAt = 0
  #closed = false

  constructor(
    private readonly desk: { opts: Pick<DeskOptions, "server" | "credential"> },
    private readonly onLost: (lost: AccessLost) => void,
    private readonly minGapMs = 5_000,
  ) {}

  /** A status the desk emitted. */
  status(s: DeskStatus): void {
    const p = s.problem
    if (!p || (p.code !== "refused" && p.code !== "unauthorized")) return
    if (this.#checking || this.#closed || Date.now() - this.#lastAt < this.minGapMs) return
    void this.#check(p.since)
  }

  close(): void {
    this.#closed = true
  }

  async #check(since: string): Promise<void> {
    this.#checking = true
    this.#lastAt = Date.now()
    try {
      const relay = this.desk.opts.server ? parseRelayAddress(this.desk.opts.server) : undefined
      if (!relay?.ok) return
      const credential = this.desk.opts.credential
      const kind = credential
        ? (await credentialAccepted(relay.sync, credential)) === false
          ? "revoked"
          : undefined
        : (await enrolmentOffered(relay.http)) === true
          ? "needs-enrolment"
          : undefined
      if (kind && !this.#closed) this.onLost({ kind, since })
    } finally {
      this.#checking = false
    }
  }
}
