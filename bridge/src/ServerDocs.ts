import type { DocHandle, Repo } from "@automerge/automerge-repo"
import type pg from "pg"
import type { AnyClinicDoc, DocKey } from "@vetsync/shared"
import type { BridgeObserver, PublishedDocument } from "./BridgeObserver.js"
import type { ClinicWork } from "./ClinicWork.js"
import { clinicOfDesk } from "./queries/clinicProfile.js"
import { openDoc } from "./sync/openDoc.js"
import { publishPriceList } from "./sync/publishPriceList.js"
import { publishProfile } from "./sync/publishProfile.js"
import { publishRejections } from "./sync/publishRejections.js"
import { publishStaff } from "./sync/publishStaff.js"

export interface ServerDocsOptions {
  pool: pg.Pool
  repo: Repo
  /** each clinic's publications run in its turn, beside its projections */
  work: ClinicWork
  /** whether this bridge publishes the clinic now (it holds the clinic's lease) */
  holds: (clinicId: string) => boolean
  observer?: BridgeObserver
  /** background failures */
  onError: (e: unknown) => void
}

type Publish = (pool: pg.Pool, repo: Repo, clinicId: string) => Promise<boolean>

const PUBLISHERS: Record<PublishedDocument, Publish> = {
  pricelist: publishPriceList,
  profile: publishProfile,
  rejections: publishRejections,
  staff: publishStaff,
}
const DOCS = Object.keys(PUBLISHERS) as PublishedDocument[]

/**
 * The clinics' server-owned documents (price list, profile, rejections, staff): published from
 * PostgreSQL by the bridge that holds the clinic, once however often asked while queued, and
 * published again when a desk changed one (the master overwrites it).
 */
export class ServerDocs {
  readonly #o: ServerDocsOptions
  /** clinic -> taking its change listeners off again */
  readonly #watched = new Map<string, () => void>()

  constructor(o: ServerDocsOptions) {
    this.#o = o
  }

  /** Publishes every server-owned document of the clinic now, and again whenever a desk changes one. */
  async follow(clinicId: string): Promise<void> {
    if (!this.#watched.has(clinicId)) {
      const offs: (() => void)[] = []
      this.#watched.set(clinicId, () => offs.forEach(off => off()))
      for (const document of DOCS) {
        const handle: DocHandle<AnyClinicDoc> = await openDoc(this.#o.repo, clinicId, document as DocKey)
        const onChange = () => this.background(clinicId, document)
        handle.on("change", onChange)
        offs.push(() => handle.off("change", onChange))
      }
    }
    for (const document of DOCS) await this.publish(clinicId, document)
  }

  /** Stops publishing the clinic's documents on desks' changes. */
  drop(clinicId: string): void {
    this.#watched.get(clinicId)?.()
    this.#watched.delete(clinicId)
  }

  /** Publishes one of the clinic's documents (once, however often asked while queued); false: nothing changed, or not this bridge's clinic. */
  publish(clinicId: string, document: PublishedDocument): Promise<unknown> {
    if (!this.#o.holds(clinicId)) return Promise.resolve(false)
    return this.#o.work.once(clinicId, document, async () => {
      if (!this.#o.holds(clinicId)) return false
      const changed = await PUBLISHERS[document](this.#o.pool, this.#o.repo, clinicId)
      if (changed) this.#o.observer?.published(clinicId, document)
      return changed
    })
  }

  /** publish(), failures reported to onError. */
  background(clinicId: string, document: PublishedDocument): void {
    this.publish(clinicId, document).catch(this.#o.onError)
  }

  /** 'desk:<id>' (the registry's trigger): the desk's clinic's profile names its revoked desks. */
  async revoked(who: string): Promise<unknown> {
    if (!who.startsWith("desk:")) return
    const clinicId = await clinicOfDesk(this.#o.pool, who.slice("desk:".length))
    return clinicId === null ? undefined : this.publish(clinicId, "profile")
  }
}
