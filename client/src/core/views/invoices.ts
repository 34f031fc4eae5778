import { invoiceMoney, invoicePaidAt, invoiceState, invoiceStatus, type Invoice } from "@vetsync/shared"
import type { InvoiceView } from "../api.js"
import type { ReasonOf, RecordLookup } from "./lookup.js"

/** An invoice as lists and its page show it: with its client's and patient's names and the server's reason if it refused it. */
export const invoiceView = (
  invoice: Invoice,
  lookup: Pick<RecordLookup, "getClient" | "getPatient">,
  reasonOf: ReasonOf,
): InvoiceView => ({
  ...invoice,
  // the status and paid time the back office reads in PostgreSQL, from the payments, as the bridge writes them
  status: invoiceStatus(invoice),
  paidAt: invoicePaidAt(invoice),
  clientName: lookup.getClient(invoice.clientId)?.name ?? "",
  patientName: invoice.patientId ? (lookup.getPatient(invoice.patientId)?.name ?? "") : "",
  rejection: reasonOf(`invoices/${invoice.id}`, invoice.updatedAt),
  state: invoiceState(invoice),
  money: invoiceMoney(invoice),
})
