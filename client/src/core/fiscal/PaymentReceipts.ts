import type { FiscalState, Invoice, Payment } from "@vetsync/shared"
import type { FiscalOutcome } from "../commands/payments.js"
import type { ReceiptPort } from "../commands/context.js"
import { contactOf, paymentReceipt } from "./paymentReceipt.js"
import type { QueuedReceipt } from "./ReceiptQueue.js"
import { receiptProblems } from "./receipt.js"
import type { Cashier, ReceiptRequest, VatRate } from "./types.js"

/** What a receipt of payments is tagged with in the queue: the records to write its outcome into. */
interface PaymentsTag {
  invoiceId: string
  paymentIds: string[]
}

export interface PaymentReceiptsOptions {
  /** the desk's receipt queue (FiscalDesk) */
  fiscal: {
    enqueue(request: ReceiptRequest, tag?: string): QueuedReceipt
    onSettled(fn: (r: QueuedReceipt) => void): () => void
    receipts(states?: readonly QueuedReceipt["state"][], limit?: number): QueuedReceipt[]
  }
  /** a payment record's fiscal state as the read model has it (undefined: not there) */
  fiscalStateOf(invoiceId: string, paymentId: string): FiscalState | undefined
  /** a price item's VAT rate (the desk's price list read model) */
  vatOf(itemId: string): VatRate | undefined
  /** the invoice's client, for the electronic receipt's phone or e-mail */
  client(id: string): { phone: string; email: string } | undefined
  /** the signed-in staff member (the cashier), when someone is */
  cashier(): Cashier | undefined
  /** writes a receipt's outcome into its payment records (a desk write) */
  record(invoiceId: string, paymentIds: readonly string[], outcome: FiscalOutcome): Promise<void>
  log?: (message: string, detail: Record<string, unknown>) => void
}

/** the newest receipts looked at when the desk starts */
const RECONCILE_LIMIT = 500

const tagOf = (text: string | null): PaymentsTag | undefined => {
  if (!text) return undefined
  try {
    const t = JSON.parse(text) as Partial<PaymentsTag>
    return typeof t.invoiceId === "string" && Array.isArray(t.paymentIds) ? { invoiceId: t.invoiceId, paymentIds: t.paymentIds } : undefined
  } catch {
    return undefined
  }
}

/**
 * The seam between the payment commands and the cash register: each taking of money (a payment,
 * a mixed payment, a refund) becomes one receipt in the desk's durable queue, keyed by its first
 * payment record's id, and the register's answer is written back into the payment records
 * (printed with the fiscal document's number and sign, or failed until a retry prints it).
 */
export class PaymentReceipts implements ReceiptPort {
  readonly #o: PaymentReceiptsOptions
  readonly #off: () => void

  constructor(o: PaymentReceiptsOptions) {
    this.#o = o
    this.#off = o.fiscal.onSettled(r => this.#settled(r))
    this.#reconcile()
  }

  taken(invoice: Invoice, payments: readonly Payment[]): void {
    if (payments.length === 0) return
    try {
      const cashier = this.#o.cashier()
      const clientContact = contactOf(this.#o.client(invoice.clientId))
      const request = paymentReceipt({
        invoice,
        payments,
        vatOf: id => this.#o.vatOf(id),
        ...(cashier ? { cashier: { ...cashier, name: cashier.name.trim().slice(0, 64) } } : {}),
        ...(clientContact ? { clientContact } : {}),
      })
      const tag: PaymentsTag = { invoiceId: invoice.id, paymentIds: payments.map(p => p.id) }
      const problems = receiptProblems(request)
      if (problems.length > 0) {
        this.#o.log?.("a payment's receipt does not add up: not sent", { key: request.key, problems })
        this.#write(tag, { fiscalState: "failed", fiscalNumber: "", fiscalSign: "" })
        return
      }
      this.#o.fiscal.enqueue(request, JSON.stringify(tag))
    } catch (e) {
      // fiscalisation never fails the payment: it is written, its receipt is reported
      this.#o.log?.("a payment's receipt could not be queued", { invoice: invoice.id, error: String(e) })
    }
  }

  close(): void {
    this.#off()
  }

  /**
   * Receipts answered while no one listened (sent at the desk's start before this subscribed, or
   * the desk stopped between the register's answer and the write): their payment records are
   * brought up to date once, at start.
   */
  #reconcile(): void {
    for (const r of this.#o.fiscal.receipts(["done", "failed"], RECONCILE_LIMIT)) {
      const tag = tagOf(r.tag)
      if (!tag) continue
      const want = r.state === "done" ? "printed" : "failed"
      if (tag.paymentIds.some(id => this.#o.fiscalStateOf(tag.invoiceId, id) !== want && this.#o.fiscalStateOf(tag.invoiceId, id) !== "printed"))
        this.#settled(r)
    }
  }

  #settled(r: QueuedReceipt): void {
    const tag = tagOf(r.tag)
    if (!tag) return
    if (r.state === "done" && r.doc)
      this.#write(tag, { fiscalState: "printed", fiscalNumber: String(r.doc.number), fiscalSign: r.doc.sign })
    else if (r.state === "failed") this.#write(tag, { fiscalState: "failed", fiscalNumber: "", fiscalSign: "" })
  }

  #write(tag: PaymentsTag, outcome: FiscalOutcome): void {
    void this.#o.record(tag.invoiceId, tag.paymentIds, outcome).catch((e: unknown) => {
      this.#o.log?.("a receipt's outcome could not be written into its payments", { ...tag, error: String(e) })
    })
  }
}
