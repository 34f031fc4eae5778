import type * as A from "@automerge/automerge"
import {
  encodeChangeMessage,
  withPaymentsContainer,
  type InvoicesDoc,
  kindOfKey,
  type ChangeAuthor,
  readRecord,
  type AnyClinicDoc,
  type AnyRecord,
  type Collection,
  type DocKey,
  type RecordByCollection,
  type RootDoc,
} from "@vetsync/shared"
import { DeskError, type DeskEvent } from "./api.js"
import type { Bootstrapper } from "./Bootstrapper.js"
import { recordFromDoc } from "./commands/context.js"
import type { DocStore } from "./DocStore.js"
import type { ReadModelUpdater } from "./ReadModelUpdater.js"
import type { SyncLedger } from "./readmodel/SyncLedger.js"
import type { SyncProblems } from "./SyncProblems.js"
import type { SyncTracker } from "./SyncTracker.js"

const ROOT: DocKey = "root"

export interface CommandDocsOptions {
  docs: DocStore
  ledger: SyncLedger
  updater: ReadModelUpdater
  sync: SyncTracker
  bootstrap: Bootstrapper
  problems: SyncProblems
  emit: (e: DeskEvent) => void
  /** who makes the change, written into its Automerge message (the record's history reads it back) */
  author: () => ChangeAuthor
}

/**
 * What a command does with the documents: reads a record as its document holds it, and writes
 * one change to one document - marked as waiting for the relay before it is made, saved to disk
 * (fsync) before anything else sees it, then taken into the read model (one transaction: the
 * document's changes since the heads the read model reflects, the command's records among them,
 * each once) and counted for the sync status, and the views told.
 */
export class CommandDocs {
  readonly #o: CommandDocsOptions

  constructor(o: CommandDocsOptions) {
    this.#o = o
  }

  /** The current record as the document holds it (opening the document if needed). */
  async read<C extends Collection>(key: DocKey, collection: C, id: string): Promise<RecordByCollection[C] | undefined> {
    const { docs, ledger, bootstrap } = this.#o
    return docs.use(key, handle => {
      const r = recordFromDoc(handle.doc(), collection, id)
      if (!r && bootstrap.running && ledger.getDocHeads(handle.documentId))
        throw new DeskError("not_found", `${collection}/${id} is still downloading to this desk; try again in a moment`)
      return r
    })
  }

  /** Applies one change to one document, durably, and updates the read model and the sync status. */
  async write<T extends AnyClinicDoc>(
    key: DocKey,
    fn: (doc: T) => void,
    records: { collection: Collection; id: string }[],
  ): Promise<void> {
    const { docs, sync, updater, problems } = this.#o
    // who makes the change, taken now, where the caller checked that someone may (a sign-out or a
    // switch of person while the document opens must not rename the change's author)
    const message = encodeChangeMessage(this.#o.author())
    if (kindOfKey(key) !== "root") await this.#listPartition(key)
    const id = docs.layout.idOf(key)
    sync.beforeLocalChange(key, id)
    await docs.use(key, async handle => {
      // an invoices month gets its payments map by the one change every desk makes alike
      if (kindOfKey(key) === "invoices" && !(handle.doc() as InvoicesDoc).payments)
        handle.update(d => withPaymentsContainer(d as A.Doc<InvoicesDoc>, docs.layout.clinicId, key))
      try {
        await docs.change<T>(handle, fn, message)
        problems.saved()
      } catch (e) {
        problems.saveFailed((e as Error).message)
        throw new DeskError("internal", `could not save the change: ${(e as Error).message}`)
      }
      // the change is on disk: the read model may show it now (never before, see DocStore.isSaving)
      const doc = handle.doc()
      const written = records
        .map(r => readRecord(doc, r.collection, r.id))
        .filter((r): r is AnyRecord => r !== undefined)
      const result = updater.update(key, handle, { written })
      sync.recount(key, handle)
      this.#o.emit({ type: "records-changed", collections: result?.collections ?? [] })
    })
  }

  /** A shard or month partition is listed in the root document the first time it is written. */
  async #listPartition(key: DocKey): Promise<void> {
    const { docs } = this.#o
    await docs.use(ROOT, async root => {
      if ((root.doc() as RootDoc).partitions?.[key]) return
      await docs.change<RootDoc>(root, d => {
        d.partitions[key] = true
      })
    })
  }
}
