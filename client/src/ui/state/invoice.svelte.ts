import { lineTotal, QTY_SCALE, type PriceItem } from "@vetsync/shared/schema"
import type { InvoiceInput } from "../../core/api.js"
import { parseQty, qtyText } from "./qty.js"

export { parseQty }

export interface DraftLine {
  item: PriceItem
  /** what staff typed, e.g. "1", "0,5" */
  qtyText: string
}

/** The invoice being built: lines from the local price list, quantities, totals in integer kopecks. */
export class InvoiceDraft {
  lines = $state<DraftLine[]>([])
  clientId = $state("")
  patientId = $state("")
  vet = $state("")

  readonly totals = $derived(this.lines.map(l => lineTotal(l.item.price, parseQty(l.qtyText) ?? 0)))
  readonly total = $derived(this.totals.reduce((a, b) => a + b, 0))

  add(item: PriceItem): void {
    const existing = this.lines.find(l => l.item.id === item.id)
    if (existing) {
      const q = (parseQty(existing.qtyText) ?? 0) + QTY_SCALE
      existing.qtyText = qtyText(q)
    } else this.lines.push({ item, qtyText: "1" })
  }

  remove(index: number): void {
    this.lines.splice(index, 1)
  }

  toInput(): InvoiceInput {
    return {
      clientId: this.clientId,
      ...(this.patientId ? { patientId: this.patientId } : {}),
      ...(this.vet ? { vet: this.vet } : {}),
      lines: this.lines.map(l => ({ itemId: l.item.id, qtyMilli: parseQty(l.qtyText) ?? 0 })),
    }
  }

  clear(): void {
    this.lines = []
    this.clientId = ""
    this.patientId = ""
  }
}
