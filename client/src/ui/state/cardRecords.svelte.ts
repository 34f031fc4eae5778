import type { Collection } from "@vetsync/shared/schema"
import type { HistoryEntry, RelatedRecords } from "../../core/api.js"
import type { DeskClient } from "../api/client.js"

/** How many appointments, invoices and changes a card shows at first, and how many more each "show more" adds. */
export const CARD_PAGE = 5

/** Whose records a card shows: a client's, or one patient's. */
export interface CardOwner {
  clientId: string
  patientId?: string
  /** the record whose history is shown */
  collection: Collection
  id: string
}

/** A card's appointments and invoices (newest first) and its record's history, each paged with "show more". */
export class CardRecords {
  related = $state<RelatedRecords | null>(null)
  history = $state<HistoryEntry[] | null>(null)
  /** how many of each are shown */
  shown = $state({ appointments: CARD_PAGE, invoices: CARD_PAGE, history: CARD_PAGE })
  #owner: CardOwner | null = null

  constructor(private readonly api: DeskClient) {}

  /** (Re)reads what the card shows; a late answer for another owner is dropped. */
  async load(owner: CardOwner): Promise<void> {
    if (!this.#owner || this.#owner.id !== owner.id) this.shown = { appointments: CARD_PAGE, invoices: CARD_PAGE, history: CARD_PAGE }
    this.#owner = owner
    const limit = Math.max(this.shown.appointments, this.shown.invoices)
    const [related, history] = await Promise.all([
      this.api.call("records.related", { clientId: owner.clientId, ...(owner.patientId ? { patientId: owner.patientId } : {}), limit }),
      this.api.call("records.history", { collection: owner.collection, id: owner.id }),
    ])
    if (this.#owner !== owner) return
    this.related = related
    this.history = history
  }

  async more(what: "appointments" | "invoices" | "history"): Promise<void> {
    this.shown = { ...this.shown, [what]: this.shown[what] + CARD_PAGE * 4 }
    if (what !== "history" && this.#owner) await this.load(this.#owner)
  }
}
