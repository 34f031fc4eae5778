import { createHash } from "node:crypto"
import { stringifyAutomergeUrl, parseAutomergeUrl, type DocumentId } from "@automerge/automerge-repo"
import { localMonth } from "../schema/zone.js"
import type { DocKind } from "./types.js"

/**
 * How a clinic's records are spread over documents (see README "Document layout"):
 * - 64 client shards; a client and all its patients live in shard hash(clientId) % 64;
 * - appointments partitioned by month of their start, invoices by month of issue;
 * - one price list, one rejections, one clinic profile and one staff document, owned by the server;
 * - one root document listing which month partitions exist.
 * Every document id is derived from (clinicId, key), so desks that create the same
 * partition independently, offline, create the same document.
 */
export const CLIENT_SHARDS = 64

export type DocKey =
  | "root"
  | "pricelist"
  | "rejections"
  | "profile"
  | "staff"
  | `clients/${number}`
  | `appointments/${string}`
  | `invoices/${string}`

/** The documents every clinic has besides its month partitions. */
export const FIXED_KEYS = ["root", "pricelist", "rejections", "profile", "staff"] as const satisfies readonly DocKey[]

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/

export const shardOf = (clientId: string): number => {
  const h = createHash("sha1").update(clientId).digest()
  return h.readUInt32BE(0) % CLIENT_SHARDS
}

export const clientShardKey = (clientId: string): DocKey => `clients/${shardOf(clientId)}`
/**
 * The month partition of an appointment: the month of its start where the clinic is (its time
 * zone, from the clinic profile). Computed once, when the record is created: a record stays in the
 * document it was written to (a later change of the zone or of its start does not move it), and
 * readers find it by id (the desk's read model keeps each record's document).
 */
export const appointmentsKey = (startIso: string, timeZone: string): DocKey =>
  `appointments/${localMonth(startIso, timeZone)}`
/** The month partition of an invoice: the month of its issue in the clinic's time zone (see appointmentsKey). */
export const invoicesKey = (issuedIso: string, timeZone: string): DocKey =>
  `invoices/${localMonth(issuedIso, timeZone)}`

/** The appointment and invoice month partitions from `before` years back to `after` years ahead of `now`. */
export const monthKeysAround = (now: Date, before: number, after: number): DocKey[] => {
  const out: DocKey[] = []
  const year = now.getUTCFullYear()
  for (let y = year - before; y <= year + after; y++)
    for (let m = 1; m <= 12; m++) {
      const month = `${y}-${String(m).padStart(2, "0")}`
      out.push(`appointments/${month}` as DocKey, `invoices/${month}` as DocKey)
    }
  return out
}

export const allShardKeys = (): DocKey[] => Array.from({ length: CLIENT_SHARDS }, (_, i) => `clients/${i}` as DocKey)

export const kindOfKey = (key: string): DocKind | undefined => {
  if ((FIXED_KEYS as readonly string[]).includes(key)) return key as (typeof FIXED_KEYS)[number]
  const [kind, rest] = key.split("/")
  if (kind === "clients" && rest !== undefined && /^\d+$/.test(rest) && Number(rest) < CLIENT_SHARDS) return "clients"
  if ((kind === "appointments" || kind === "invoices") && rest !== undefined && MONTH.test(rest)) return kind
  return undefined
}

export const isDocKey = (key: string): key is DocKey => kindOfKey(key) !== undefined

/** Deterministic document id of (clinic, key): the first 16 bytes of sha256. */
export const docIdFor = (clinicId: string, key: DocKey): DocumentId => {
  const bytes = createHash("sha256").update(`vetsync\0${clinicId}\0${key}`).digest().subarray(0, 16)
  return parseAutomergeUrl(stringifyAutomergeUrl(new Uint8Array(bytes) as never)).documentId
}

/** Maps every possible document id of a clinic back to its key (for the keys it knows about). */
export class ClinicLayout {
  readonly clinicId: string
  readonly #byId = new Map<DocumentId, DocKey>()
  readonly #byKey = new Map<DocKey, DocumentId>()

  constructor(clinicId: string) {
    this.clinicId = clinicId
    for (const key of [...FIXED_KEYS, ...allShardKeys()]) this.add(key)
  }

  add(key: DocKey): DocumentId {
    const known = this.#byKey.get(key)
    if (known) return known
    const id = docIdFor(this.clinicId, key)
    this.#byId.set(id, key)
    this.#byKey.set(key, id)
    return id
  }

  idOf(key: DocKey): DocumentId {
    return this.add(key)
  }

  keyOf(id: DocumentId): DocKey | undefined {
    return this.#byId.get(id)
  }

  keys(): DocKey[] {
    return [...this.#byKey.keys()]
  }
}
