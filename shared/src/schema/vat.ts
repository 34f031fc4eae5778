/**
 * VAT rates of a price item, named as ATOL's JSON tasks name them (`tax.type`), which is what a
 * receipt carries. "none" (без НДС) is the default: veterinary services are commonly VAT-exempt
 * (clinics on the simplified tax system pay none; many veterinary services are exempt under the
 * Tax Code, art. 149), so an item carries a rate only when the clinic sets one
 * (`vetsync price set --vat vat22`).
 */
export const VAT_RATES = ["none", "vat0", "vat5", "vat7", "vat10", "vat20", "vat22"] as const
export type VatRate = (typeof VAT_RATES)[number]

export const DEFAULT_VAT: VatRate = "none"

/** The percentage of each rate ("none" and "vat0" carry no VAT amount). */
export const VAT_PERCENT: Record<VatRate, number> = {
  none: 0,
  vat0: 0,
  vat5: 5,
  vat7: 7,
  vat10: 10,
  vat20: 20,
  vat22: 22,
}

export const isVatRate = (s: unknown): s is VatRate => typeof s === "string" && (VAT_RATES as readonly string[]).includes(s)
