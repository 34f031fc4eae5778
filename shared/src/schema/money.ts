/** Integer-kopeck arithmetic. Quantities are in thousandths of a unit. */
export const QTY_SCALE = 1000

export const lineTotal = (price: number, qtyMilli: number): number => Math.round((price * qtyMilli) / QTY_SCALE)

export const formatKopecks = (kopecks: number, locale = "ru-RU"): string =>
  (kopecks / 100).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** "12,50" / "12.5" / "12" -> 1250. Returns undefined for anything that is not a non-negative amount. */
export const parseRubles = (text: string): number | undefined => {
  const t = text.trim().replace(/\s/g, "").replace(",", ".")
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return undefined
  const [whole = "0", frac = ""] = t.split(".")
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2))
}
