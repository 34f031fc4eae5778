import { QTY_SCALE } from "@vetsync/shared/schema"

/** "1,5" -> 1500 thousandths; undefined for anything that is not a positive quantity */
export const parseQty = (text: string): number | undefined => {
  const t = text.trim().replace(",", ".")
  if (!/^\d+(\.\d{1,3})?$/.test(t)) return undefined
  const milli = Math.round(Number(t) * QTY_SCALE)
  return milli > 0 ? milli : undefined
}

/** why a typed quantity is not one: empty, zero or below, or not a number with at most 3 decimals; null when it is */
export const qtyProblem = (text: string): "required" | "qty_not_positive" | "qty_format" | null => {
  if (parseQty(text) !== undefined) return null
  const t = text.trim().replace(",", ".")
  if (t === "") return "required"
  return /^[-−]?\d+(\.\d+)?$/.test(t) && Number(t.replace("−", "-")) <= 0 ? "qty_not_positive" : "qty_format"
}

/** 1500 -> "1.5" (what the quantity input shows after adding the same item again) */
export const qtyText = (milli: number): string => String(milli / QTY_SCALE)
