import { createHash } from "node:crypto"
import * as path from "node:path"
import { SafeFsStorageAdapter, buildClinicBinariesParallel, docIdFor, type DocKey } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"

export interface SeedOptions {
  /** the relay's data directory */
  dataDir: string
  clinicId: string
  clients: number
  patients: number
  seed?: number
  /** write the price list document too (no bridge to publish it, as in benchmarks) */
  priceList?: boolean
}

/**
 * Writes a generated clinic (deterministic, see test-kit/src/seed) into a relay's storage
 * before the relay starts, as an import would: one snapshot chunk per document. The documents are
 * built on two threads (buildClinicBinariesParallel).
 */
export const seedRelayStorage = async (opts: SeedOptions): Promise<{ docs: number; bytes: number }> => {
  const clinic = generateClinic({ seed: opts.seed ?? 1, clients: opts.clients, patients: opts.patients })
  const { priceItems, ...records } = clinic
  const docs = await buildClinicBinariesParallel(
    opts.clinicId,
    { ...records, ...(opts.priceList ? { priceItems } : {}) },
    "5eed".repeat(8),
  )
  const storage = new SafeFsStorageAdapter(path.join(opts.dataDir, "docs"))
  let bytes = 0
  for (const [key, bin] of docs) bytes += await saveBinary(storage, opts.clinicId, key, bin)
  return { docs: docs.size, bytes }
}

/** A document's saved bytes as its one snapshot chunk. */
export const saveBinary = async (
  storage: SafeFsStorageAdapter,
  clinicId: string,
  key: DocKey,
  bin: Uint8Array,
): Promise<number> => {
  const id = docIdFor(clinicId, key)
  await storage.save([id, "snapshot", createHash("sha256").update(bin).digest("hex")], bin)
  return bin.length
}
