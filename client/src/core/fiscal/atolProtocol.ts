import type { FiscalError } from "./errors.js"
import { composeReceipt } from "./receipt.js"
import type { Cashier, FiscalDocument, PaymentMethod, ReceiptRequest, VatRate } from "./types.js"

/**
 * ATOL Driver 10 (ДТО 10) JSON tasks, as its local web server takes them: `POST /api/v2/requests`
 * with `{ uuid, request: [task, ...] }` (201 Created; 409 Conflict when the uuid is already
 * there), then `GET /api/v2/requests/{uuid}` until each of `results[]` has a final `status`
 * ("ready", "error" ...), with `errorCode`, `errorDescription` and `result`
 * (`result.fiscalParams.fiscalDocumentNumber`, `.fiscalDocumentSign`, `.fiscalDocumentDateTime`,
 * `.shiftNumber`, `.total`).
 *
 * Sources read:
 * - ATOL, "Драйвер контрольно-кассовой техники v.10", JSON tasks and the web server
 *   (the driver's docs, e.g. https://fs.f-pos.ru/ДТО/10x/Unpack/10.2.0/doc/docs.zip);
 * - "Опыт интеграции онлайн кассы Атол с собственной торговой CRM", https://habr.com/en/post/457684/
 *   (the web server's request/poll cycle from a browser or curl);
 * - the driver's error codes as its Java/C# bindings define them (LIBFPTR_ERROR_NO_PAPER = 44,
 *   LIBFPTR_ERROR_SHIFT_EXPIRED = 68, LIBFPTR_ERROR_FISCAL_MEMORY_OVERFLOW = 70,
 *   LIBFPTR_ERROR_DENIED_IN_CLOSED_SHIFT = 73, LIBFPTR_ERROR_DENIED_IN_OPENED_SHIFT = 83,
 *   LIBFPTR_ERROR_FN_EXPIRED = 120, LIBFPTR_ERROR_FN_OVERFLOW = 121, LIBFPTR_ERROR_FN_SHIFT_EXPIRED = 141,
 *   LIBFPTR_ERROR_FN_RESOURCE_HAS_EXPIRED = 137, LIBFPTR_ERROR_CONNECTION_DISABLED = 1,
 *   LIBFPTR_ERROR_NO_CONNECTION = 2, LIBFPTR_ERROR_PORT_BUSY = 3, LIBFPTR_ERROR_PORT_NOT_AVAILABLE = 4).
 * Amounts in tasks are roubles with kopecks (numbers), quantities units.
 */

export type AtolTaskType =
  | "openShift"
  | "closeShift"
  | "reportX"
  | "sell"
  | "sellReturn"
  | "getShiftStatus"
  | "getDeviceStatus"
  | "getFnInfo"

export interface AtolOperator {
  name: string
  vatin?: string
}

export interface AtolItem {
  type: "position"
  name: string
  price: number
  quantity: number
  amount: number
  measurementUnit: "piece"
  paymentMethod: "fullPayment"
  paymentObject: "service" | "commodity"
  tax: { type: VatRate }
}

export type AtolPaymentType = "cash" | "electronically"

export interface AtolReceiptTask {
  type: "sell" | "sellReturn"
  operator?: AtolOperator
  clientInfo?: { emailOrPhone: string }
  items: AtolItem[]
  payments: { type: AtolPaymentType; sum: number }[]
  total: number
}

export type AtolTask = { type: Exclude<AtolTaskType, "sell" | "sellReturn">; operator?: AtolOperator } | AtolReceiptTask

export interface AtolRequestBody {
  uuid: string
  request: AtolTask[]
}

/** The final statuses of a task; "wait" and "inProgress" are not final. */
export const ATOL_FINAL = ["ready", "error", "interrupted", "blocked", "canceled"] as const
export type AtolStatus = (typeof ATOL_FINAL)[number] | "wait" | "inProgress"

export interface AtolFiscalParams {
  fiscalDocumentNumber: number
  fiscalDocumentSign: string
  fiscalDocumentDateTime: string
  shiftNumber: number
  total?: number
}

export interface AtolTaskResult {
  status: AtolStatus
  errorCode: number
  errorDescription: string
  result?: {
    fiscalParams?: AtolFiscalParams
    shiftStatus?: { state: "closed" | "opened" | "expired"; number: number; expiredTime?: string }
    deviceStatus?: { paperPresent: boolean }
    fnInfo?: { warnings?: { memoryOverflow?: boolean; resourceExhausted?: boolean; needReplacement?: boolean } }
  } | null
}

export interface AtolRequestState {
  results: AtolTaskResult[]
}

/** Error codes of the driver (see the sources above). */
export const ATOL_ERRORS = {
  connectionDisabled: 1,
  noConnection: 2,
  portBusy: 3,
  portNotAvailable: 4,
  noPaper: 44,
  shiftExpired: 68,
  fiscalMemoryOverflow: 70,
  deniedInClosedShift: 73,
  deniedInOpenedShift: 83,
  fnExpired: 120,
  fnOverflow: 121,
  fnResourceExpired: 137,
  fnShiftExpired: 141,
} as const

const rub = (kopecks: number): number => kopecks / 100
export const kopecks = (roubles: number): number => Math.round(roubles * 100)

const PAYMENT_TYPE: Record<PaymentMethod, AtolPaymentType> = {
  cash: "cash",
  // card and bank transfer are both "безналичными" (tag 1081)
  card: "electronically",
  transfer: "electronically",
}

export const atolOperator = (cashier: Cashier | undefined): AtolOperator | undefined =>
  cashier ? { name: cashier.name, ...(cashier.inn ? { vatin: cashier.inn } : {}) } : undefined

/** A receipt request as ATOL's sell / sellReturn task. */
export const atolReceiptTask = (r: ReceiptRequest): AtolReceiptTask => {
  const composed = composeReceipt(r.items)
  const operator = atolOperator(r.cashier)
  return {
    type: r.sign === "sell" ? "sell" : "sellReturn",
    ...(operator ? { operator } : {}),
    ...(r.clientContact ? { clientInfo: { emailOrPhone: r.clientContact } } : {}),
    items: composed.lines.map(l => ({
      type: "position",
      name: l.name,
      price: rub(l.price),
      quantity: l.qtyMilli / 1000,
      amount: rub(l.amount),
      measurementUnit: "piece",
      paymentMethod: "fullPayment",
      paymentObject: l.kind,
      tax: { type: l.vat },
    })),
    payments: r.payments.map(p => ({ type: PAYMENT_TYPE[p.method], sum: rub(p.amount) })),
    total: rub(composed.total),
  }
}

/** A driver's error as a FiscalError. */
export const atolError = (code: number, description: string): FiscalError => {
  const E = ATOL_ERRORS
  switch (code) {
    case E.noPaper:
      return { kind: "paper-out" }
    case E.shiftExpired:
    case E.fnShiftExpired:
      return { kind: "shift-expired", openedAt: "" }
    case E.deniedInClosedShift:
      return { kind: "shift-closed" }
    case E.deniedInOpenedShift:
      return { kind: "shift-open" }
    case E.fiscalMemoryOverflow:
    case E.fnExpired:
    case E.fnOverflow:
    case E.fnResourceExpired:
      return { kind: "storage-full" }
    case E.connectionDisabled:
    case E.noConnection:
    case E.portBusy:
    case E.portNotAvailable:
      return { kind: "not-connected", detail: `${code}: ${description}` }
    default:
      return { kind: "device", code, detail: description }
  }
}

/** A FiscalError as the driver's code (what a test's ATOL server answers for an emulator's refusal). */
export const atolCodeOf = (e: FiscalError): number => {
  const E = ATOL_ERRORS
  switch (e.kind) {
    case "paper-out":
      return E.noPaper
    case "shift-expired":
      return E.shiftExpired
    case "shift-closed":
      return E.deniedInClosedShift
    case "shift-open":
      return E.deniedInOpenedShift
    case "storage-full":
      return E.fnOverflow
    case "not-connected":
      return E.noConnection
    case "invalid-receipt":
      return 5
    case "device":
      return e.code
  }
}

export const fiscalDocumentOf = (p: AtolFiscalParams, total: number): FiscalDocument => ({
  number: p.fiscalDocumentNumber,
  sign: String(p.fiscalDocumentSign),
  at: p.fiscalDocumentDateTime,
  shiftNumber: p.shiftNumber,
  total,
})
