import type { FieldError, InvoiceState } from "@vetsync/shared/schema"
import type { DeskArgs } from "../../core/api.js"
import { parseDate } from "../forms/dates.js"

/** The invoice list's filters as staff set them: the number typed, the client picked, the days typed, the status chosen. */
export interface InvoiceFilterText {
  number: string
  /** the picked client's id, "" for any client */
  clientId: string
  /** the clinic's days as typed (ДД.ММ.ГГГГ, DD/MM/YYYY ...), "" for open */
  from: string
  to: string
  state: InvoiceState | ""
}

/** The search to run and what is wrong with the filters (a filter with a problem is left out until it is fixed). */
export interface InvoiceSearchPlan {
  args: DeskArgs<"invoices.search">
  errors: FieldError[]
}

export const NO_FILTERS: InvoiceFilterText = { number: "", clientId: "", from: "", to: "", state: "" }

/** Some filter is set: the list shows a part of the invoices, and "clear" has something to clear. */
export const filtersSet = (f: InvoiceFilterText): boolean =>
  f.number.trim() !== "" || f.clientId !== "" || f.from.trim() !== "" || f.to.trim() !== "" || f.state !== ""

const dateOf = (field: "from" | "to", text: string, errors: FieldError[]): string | undefined => {
  if (text.trim() === "") return undefined
  const date = parseDate(text)
  if (date) return date
  errors.push({ field, code: "invalid_date", message: "is not a date" })
  return undefined
}

/**
 * The `invoices.search` arguments of the filters, a page of `limit` from `offset`: an unreadable
 * day, or a range that ends before it starts, is left out of the search and named in `errors`.
 */
export const invoiceSearchPlan = (f: InvoiceFilterText, offset: number, limit: number): InvoiceSearchPlan => {
  const errors: FieldError[] = []
  let from = dateOf("from", f.from, errors)
  let to = dateOf("to", f.to, errors)
  if (from && to && to < from) {
    errors.push({ field: "to", code: "end_before_start", message: "is before the start" })
    from = undefined
    to = undefined
  }
  const number = f.number.trim()
  return {
    args: {
      limit,
      offset,
      ...(number ? { number } : {}),
      ...(f.clientId ? { clientId: f.clientId } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(f.state ? { states: [f.state] } : {}),
    },
    errors,
  }
}
