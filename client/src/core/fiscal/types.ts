import type { PaymentMethod, VatRate } from "@vetsync/shared"
import type { FiscalError } from "./errors.js"

/**
 * The cash register's side of a payment (54-FZ), in the desk's own small types: whoever takes
 * payments (the payments records of issue 12) builds a ReceiptRequest and hands it to the desk's
 * receipt queue; nothing here knows invoices.
 *
 * Money is in integer kopecks, quantities in thousandths (as on invoice lines).
 */

export { VAT_PERCENT, VAT_RATES, isVatRate, type VatRate } from "@vetsync/shared"

/** How money was taken: cash into the drawer, or without cash (card, bank transfer); the payments' own list (shared/src/schema/payments.ts). */
export { PAYMENT_METHODS, type PaymentMethod } from "@vetsync/shared"

/** What a line sells (54-FZ "признак предмета расчета"): a service or goods. */
export type ItemKind = "service" | "commodity"

export interface ReceiptItem {
  name: string
  /** thousandths: 1500 is 1.5 */
  qtyMilli: number
  /** price of one unit, kopecks */
  price: number
  vat: VatRate
  kind: ItemKind
}

export interface ReceiptPayment {
  method: PaymentMethod
  /** kopecks */
  amount: number
}

/** "sell": приход (a payment); "refund": возврат прихода. */
export type ReceiptSign = "sell" | "refund"

export interface Cashier {
  name: string
  /** the cashier's INN (12 digits), when given */
  inn?: string
}

export interface ReceiptRequest {
  /**
   * The idempotency key: the same key never registers a second document. The desk's queue keeps
   * it with the receipt and sends it again on every retry (ATOL: the request's uuid).
   */
  key: string
  sign: ReceiptSign
  items: ReceiptItem[]
  payments: ReceiptPayment[]
  cashier?: Cashier
  /** the client's phone (+7...) or e-mail for the electronic receipt, when given */
  clientContact?: string
}

/** A document the register formed: its fiscal document number and fiscal sign (ФД, ФП). */
export interface FiscalDocument {
  /** ФД: the fiscal document number in the fiscal storage */
  number: number
  /** ФП: the fiscal sign, digits */
  sign: string
  /** ISO time the register gives the document */
  at: string
  shiftNumber: number
  /** kopecks: the receipt's total (0 for reports) */
  total: number
}

export interface XReport {
  /** ISO time */
  at: string
  shiftNumber: number
}

export type ShiftState = "closed" | "open" | "expired"

export interface FiscalStatus {
  connected: boolean
  shift: ShiftState
  shiftNumber: number
  /** ISO time the open shift began, or null */
  shiftOpenedAt: string | null
  paperPresent: boolean
  /** the fiscal storage (ФН) can take no more documents */
  storageFull: boolean
  /** the register's name for staff ("emulator", "ATOL at http://...") */
  model: string
}

export type FiscalResult<T> = { ok: true; value: T } | { ok: false; error: FiscalError }

/**
 * A cash register. Every operation answers a FiscalResult: a register's refusal (paper out, a
 * shift over 24 h, fiscal storage full, not connected ...) is a value, never a thrown error.
 *
 * Idempotency: `register(request)` with a key it has seen answers what it answered the first
 * time (the same document, or the same refusal) and never forms a second document. A refusal
 * spends the key (nothing was printed); the caller tries again under a new key.
 */
export interface FiscalRegister {
  status(): Promise<FiscalResult<FiscalStatus>>
  openShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>>
  /** the Z report */
  closeShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>>
  /** the X report: printed, not a fiscal document (no number, no sign) */
  reportX(cashier?: Cashier): Promise<FiscalResult<XReport>>
  /** a sale ("sell") or refund ("refund") receipt */
  register(request: ReceiptRequest): Promise<FiscalResult<FiscalDocument>>
  close(): Promise<void>
}
