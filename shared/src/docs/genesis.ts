import * as A from "@automerge/automerge"
import { SCHEMA_VERSION } from "../schema/records.js"
import { kindOfKey, type DocKey } from "./layout.js"
import type { AnyClinicDoc } from "./types.js"

/** The actor of every genesis change: all desks produce byte-identical genesis changes. */
export const GENESIS_ACTOR = "00000000000000000000000000000000"

const initialValue = (clinicId: string, key: DocKey): Record<string, unknown> => {
  const kind = kindOfKey(key)
  if (!kind) throw new Error(`not a document key: ${key}`)
  const base = { v: SCHEMA_VERSION, kind, clinicId: new A.ImmutableString(clinicId) }
  const rest = key.split("/")[1] ?? ""
  switch (kind) {
    case "root":
      return { ...base, partitions: {}, shards: 64 }
    case "clients":
      return { ...base, shard: Number(rest), clients: {}, patients: {} }
    case "appointments":
      return { ...base, month: new A.ImmutableString(rest), appointments: {} }
    case "invoices":
      return { ...base, month: new A.ImmutableString(rest), invoices: {} }
    case "pricelist":
      return { ...base, items: {}, publishedAt: new A.ImmutableString("") }
    case "rejections":
      return { ...base, rejections: {} }
    case "profile":
      return { ...base, profile: {}, publishedAt: new A.ImmutableString("") }
    case "staff":
      return { ...base, members: {}, publishedAt: new A.ImmutableString("") }
  }
}

/**
 * The first change of document (clinic, key), identical on every machine (fixed
 * actor, time 0). Desks that create the same partition while apart therefore share
 * its containers instead of creating conflicting ones.
 */
export const genesisDoc = <T extends AnyClinicDoc = AnyClinicDoc>(clinicId: string, key: DocKey): A.Doc<T> => {
  const value = initialValue(clinicId, key)
  return A.change(A.init<T>({ actor: GENESIS_ACTOR }), { time: 0, message: `genesis ${key}` }, d => {
    Object.assign(d, value)
  })
}

export const genesisBinary = (clinicId: string, key: DocKey): Uint8Array => A.save(genesisDoc(clinicId, key))
