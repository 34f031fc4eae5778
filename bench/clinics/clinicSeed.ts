import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { SafeFsStorageAdapter, buildClinicBinaries, reserveWasmMemory, type DocKey } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import { saveBinary } from "../../cli/seed.js"

/** The scale of each benchmark clinic: the seeds' (61,974 clients, 82,371 patients) unless told. */
export interface ClinicScale {
  clients: number
  patients: number
}

const fileOf = (key: DocKey): string => `${key.replace(/\//g, "~")}.bin`
const keyOf = (file: string): DocKey => file.slice(0, -".bin".length).replace(/~/g, "/") as DocKey

/**
 * One clinic's documents built once from the seed generator (with the price list), kept in
 * `<outDir>/clinic-template-<clients>`: building them costs minutes at seed scale, so every benchmark
 * clinic gets a copy of the same documents (see writeClinic). Returns the documents by layout key
 * and whether they were built now (how long it took).
 */
export const clinicTemplate = async (outDir: string, scale: ClinicScale): Promise<{ docs: Map<DocKey, Uint8Array>; builtMs?: number }> => {
  const dir = path.join(outDir, `clinic-template-${scale.clients}-${scale.patients}`)
  const mark = path.join(dir, "built-v1")
  if (!existsSync(mark)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const t = Date.now()
    const { priceItems, ...records } = generateClinic({ seed: 1, clients: scale.clients, patients: scale.patients })
    if (scale.clients > 5000) reserveWasmMemory(512)
    const built = buildClinicBinaries("template", { ...records, priceItems }, "5eed".repeat(8))
    for (const [key, bin] of built) writeFileSync(path.join(dir, fileOf(key)), bin)
    writeFileSync(mark, new Date().toISOString())
    return { docs: built, builtMs: Date.now() - t }
  }
  const docs = new Map<DocKey, Uint8Array>()
  for (const f of readdirSync(dir)) if (f.endsWith(".bin")) docs.set(keyOf(f), readFileSync(path.join(dir, f)))
  return { docs }
}

/**
 * The template's documents written into a relay's storage as the clinic's own: each under the id the
 * layout gives it in that clinic (`docIdFor(clinicId, key)`), so the relay counts them the clinic's
 * and no two clinics share a document. Their contents are the template's (its `clinicId` field says
 * "template"): light desks edit them, no desk or bridge reads that field here. Returns the bytes written.
 */
export const writeClinic = async (relayDir: string, clinicId: string, docs: ReadonlyMap<DocKey, Uint8Array>): Promise<number> => {
  const storage = new SafeFsStorageAdapter(path.join(relayDir, "docs"), { fsync: false })
  let bytes = 0
  for (const [key, bin] of docs) bytes += await saveBinary(storage, clinicId, key, bin)
  return bytes
}
