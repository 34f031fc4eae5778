import type { InvoiceState } from "@vetsync/shared/schema"
import { filtersSet, invoiceSearchPlan, type InvoiceFilterText, type InvoiceSearchPlan } from "../invoices/searchArgs.js"

/**
 * The invoice list's filters and page: a number (or its beginning), a client picked from the
 * desk's client search, a range of the clinic's days, a status; any change goes back to page one.
 */
export class InvoiceFilters {
  number = $state("")
  clientId = $state("")
  clientName = $state("")
  from = $state("")
  to = $state("")
  state = $state<InvoiceState | "">("")
  offset = $state(0)

  readonly text = $derived<InvoiceFilterText>({
    number: this.number,
    clientId: this.clientId,
    from: this.from,
    to: this.to,
    state: this.state,
  })
  /** some filter is set: "clear filters" is offered */
  readonly set = $derived(filtersSet(this.text))

  constructor(readonly pageSize: number) {}

  plan(): InvoiceSearchPlan {
    return invoiceSearchPlan(this.text, this.offset, this.pageSize)
  }

  pickClient(id: string, name: string): void {
    this.clientId = id
    this.clientName = name
    this.offset = 0
  }

  clearClient(): void {
    this.pickClient("", "")
  }

  /** a filter changed: back to the first page */
  changed(): void {
    this.offset = 0
  }

  clear(): void {
    this.number = ""
    this.from = ""
    this.to = ""
    this.state = ""
    this.clearClient()
  }

  next(total: number): void {
    if (this.offset + this.pageSize < total) this.offset += this.pageSize
  }

  prev(): void {
    this.offset = Math.max(0, this.offset - this.pageSize)
  }
}
