import { invoiceMoney, invoiceState, type Invoice } from "@vetsync/shared"
import type { InvoiceView } from "../api.js"
import type { ReasonOf, RecordLookup } from "./lookup.js"

/** An invoice as lists and its page show it: with its client's and patient's names and the server's reason if it refused it. */
export const invoiceView = (
  invoice: Invoice,
  lookup: Pick<RecordLookup, "getClient" | "getPatient">,
  reasonOf: ReasonOf,
): InvoiceView => ({
  ...invoice,
  clientName: lookup.getClient(invoice.clientId)?.name ?? "",
  patientName: invoice.patientId ? (lookup.getPatient(invoice.patientId)?.name ?? "") : "",
  rejection: reasonOf(`invoices/${invoice.id}`, invoice.updatedAt),
  state: invoiceState(invoice),
  money: invoiceMoney(invoice),
})
