/**
 * Why a register refused or could not be asked: a tagged union, one guard per kind. `retryable`
 * says whether the same request may succeed later without staff doing anything (the register was
 * unreachable); the others need a hand (paper, a Z report, a new fiscal storage, a fix to the
 * receipt).
 */
export type FiscalError =
  | { kind: "paper-out" }
  /** a shift is open for more than 24 hours: only the Z report (close shift) is allowed */
  | { kind: "shift-expired"; openedAt: string }
  /** a receipt needs an open shift */
  | { kind: "shift-closed" }
  /** a shift is already open */
  | { kind: "shift-open" }
  /** the fiscal storage (ФН) is full or its resource is spent */
  | { kind: "storage-full" }
  /** the register (or its driver's web server) cannot be reached, or did not answer in time */
  | { kind: "not-connected"; detail: string }
  /** the receipt does not add up (refused before it reaches a register) */
  | { kind: "invalid-receipt"; problems: string[] }
  /** anything else the register reports: its code and words */
  | { kind: "device"; code: number; detail: string }

export type FiscalErrorKind = FiscalError["kind"]

type Of<K extends FiscalErrorKind> = Extract<FiscalError, { kind: K }>
const is =
  <K extends FiscalErrorKind>(kind: K) =>
  (e: FiscalError): e is Of<K> =>
    e.kind === kind

export const isPaperOut = is("paper-out")
export const isShiftExpired = is("shift-expired")
export const isShiftClosed = is("shift-closed")
export const isShiftOpen = is("shift-open")
export const isStorageFull = is("storage-full")
export const isNotConnected = is("not-connected")
export const isInvalidReceipt = is("invalid-receipt")
export const isDeviceError = is("device")

/** The outcome is unknown or the register was unreachable: the same key may be sent again. */
export const isRetryable = (e: FiscalError): boolean => e.kind === "not-connected"

/** Staff's short English description (the UI shows its own words per kind). */
export const describeFiscalError = (e: FiscalError): string => {
  switch (e.kind) {
    case "paper-out":
      return "the register is out of paper"
    case "shift-expired":
      return `the shift opened at ${e.openedAt} is over 24 hours: close it (Z report)`
    case "shift-closed":
      return "no shift is open"
    case "shift-open":
      return "a shift is already open"
    case "storage-full":
      return "the fiscal storage is full"
    case "not-connected":
      return `the register is not connected: ${e.detail}`
    case "invalid-receipt":
      return `the receipt is invalid: ${e.problems.join("; ")}`
    case "device":
      return `register error ${e.code}: ${e.detail}`
  }
}
