import * as A from "@automerge/automerge"
import { genesisDoc } from "./genesis.js"
import type { DocKey } from "./layout.js"
import type { InvoicesDoc } from "./types.js"

const cache = new Map<string, Uint8Array>()

/**
 * The change that adds the `payments` map to an invoices month document: made on top of the
 * genesis alone, by the genesis actor at time 0, so it is byte-identical on every machine. Two
 * desks that add it while apart add the same change (one map, both desks' payments in it), where
 * two desks each writing `doc.payments = {}` would make two maps and one would hide the other.
 * The genesis cannot hold the map itself: documents that exist already have their genesis.
 */
export const paymentsContainerChange = (clinicId: string, key: DocKey): Uint8Array => {
  const k = `${clinicId}\0${key}`
  const known = cache.get(k)
  if (known) return known
  const next = A.change(genesisDoc<InvoicesDoc>(clinicId, key), { time: 0, message: `payments ${key}` }, d => {
    d.payments = {}
  })
  const change = A.getLastLocalChange(next)
  if (!change) throw new Error(`no payments change for ${key}`)
  cache.set(k, change)
  return change
}

/** The document with its payments map (unchanged when it has it). */
export const withPaymentsContainer = (doc: A.Doc<InvoicesDoc>, clinicId: string, key: DocKey): A.Doc<InvoicesDoc> => {
  if (doc.payments) return doc
  const [next] = A.applyChanges(doc, [paymentsContainerChange(clinicId, key)])
  return next
}
