import type { DocumentId, Repo } from "@automerge/automerge-repo"
import type { LineLog } from "@vetsync/shared/log"
import { unloadFromRepo } from "@vetsync/shared/storage"
import type { Identity } from "./Authenticator.js"
import type { ClinicLeases } from "@vetsync/db"
import type { DocOwnership } from "./DocOwnership.js"
import { servesOneClinic } from "./serviceScope.js"

export interface ClinicHandoverOptions {
  leases: ClinicLeases
  repo: Repo
  ownership: DocOwnership
  /** lists these documents' chunks again (IndexedStorage.refresh): another relay wrote them */
  refresh?: (docIds: readonly string[]) => Promise<void>
  /** closes the sockets of the identities that match; answers how many */
  disconnect: (match: (identity: Identity) => boolean, reason: string) => number
  log: LineLog
}

/**
 * A relay's side of the clinic leases: a desk is let in only when this relay holds its clinic's
 * lease (taken now if free or expired), otherwise it is told the holder's address. A clinic taken
 * over from another relay is read afresh (its chunk names listed again, any stale copy unloaded);
 * a clinic whose lease was lost is dropped: its desks' sockets closed, its documents written and
 * unloaded. A service naming a clinic (the bridge: one socket per clinic) is treated like the clinic's
 * desks; a service naming none sees every clinic and is let in everywhere.
 */
export class ClinicHandover {
  readonly #o: ClinicHandoverOptions

  constructor(o: ClinicHandoverOptions) {
    this.#o = o
  }

  /** undefined: let the identity in; otherwise the address of the relay that holds its clinic. */
  async admit(identity: Identity): Promise<string | undefined> {
    if (!servesOneClinic(identity)) {
      // let in as before; but this relay's copy of a clinic another relay holds is not the live one
      this.#o.log(
        `service ${identity.deskId} names no clinic: it sees this relay's copy of clinics other relays hold, which may be stale (a bridge names each clinic: ?clinic=ID)`,
        { level: "warn" },
      )
      return undefined
    }
    const answer = await this.#o.leases.acquire(identity.clinicId)
    if (!answer.held) return answer.url
    if (answer.fresh) await this.#takeOver(identity.clinicId)
    return undefined
  }

  /** The lease of the clinic was lost: its desks (and services naming it) go to reconnect where it is now; its documents are unloaded. */
  async drop(clinicId: string): Promise<void> {
    const n = this.#o.disconnect(
      i => servesOneClinic(i) && i.clinicId === clinicId,
      `clinic ${clinicId} is served by another relay now`,
    )
    const ids = this.#loaded(clinicId)
    try {
      await this.#o.repo.flush(ids)
    } catch (e) {
      this.#o.log(`writing clinic ${clinicId}'s documents on losing its lease failed: ${(e as Error).message}`, {
        level: "warn",
        clinic: clinicId,
      })
    }
    // the documents' storage is now the next holder's too: nothing of the unload may be saved (unloadFromRepo)
    for (const id of this.#loaded(clinicId)) await unloadFromRepo(this.#o.repo, id)
    this.#o.log(`dropped clinic ${clinicId}: ${n} desk(s) disconnected, ${ids.length} document(s) unloaded`, {
      clinic: clinicId,
    })
  }

  async #takeOver(clinicId: string): Promise<void> {
    for (const id of this.#loaded(clinicId)) await unloadFromRepo(this.#o.repo, id)
    await this.#o.refresh?.(this.#o.ownership.docsOf(clinicId))
  }

  #loaded(clinicId: string): DocumentId[] {
    return Object.values(this.#o.repo.handles)
      .map(h => h.documentId)
      .filter(id => this.#o.ownership.ownerOf(id) === clinicId)
  }
}
