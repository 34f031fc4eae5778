import { createHash } from "node:crypto"
import { join } from "node:path"
import { SafeFsStorageAdapter, buildClinicBinaries, docIdFor, reserveWasmMemory } from "@vetsync/shared"
import { type GeneratedClinic } from "@vetsync/test-kit/seed"

/**
 * The server side of a morning: writes a generated clinic into a relay's storage before the relay
 * starts (as an import would: one snapshot chunk per document): price list, client shards,
 * appointment and invoice months, and the root listing the months.
 */
export const seedRelayStorage = async (relayDir: string, clinic: GeneratedClinic): Promise<number> => {
  // bulk building spends most of its time in garbage collections without it (see reserveWasmMemory)
  if (clinic.clients.length > 5000) reserveWasmMemory(512)
  const docs = buildClinicBinaries(clinic.clinicId, clinic, "5eed".repeat(8))
  const storage = new SafeFsStorageAdapter(join(relayDir, "docs"))
  for (const [key, bin] of docs) {
    await storage.save([docIdFor(clinic.clinicId, key), "snapshot", createHash("sha256").update(bin).digest("hex")], bin)
  }
  return docs.size
}
