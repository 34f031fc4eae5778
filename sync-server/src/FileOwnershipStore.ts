import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { OwnershipState, OwnershipStore } from "./OwnershipStore.js"

interface OwnershipFile {
  v: 1
  clinics: string[]
  owners: Record<string, string>
}

/**
 * One relay's ownership in one JSON file (ownership.json), written whole and atomically
 * (temporary file, fsync, rename). The file is this relay's alone: it is read once, at load.
 */
export class FileOwnershipStore implements OwnershipStore {
  readonly file: string
  readonly #clinics = new Set<string>()
  readonly #owners = new Map<string, string>()

  constructor(file: string) {
    this.file = file
  }

  get where(): string {
    return this.file
  }

  async load(): Promise<OwnershipState> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true })
    let text: string | undefined
    try {
      text = await fs.promises.readFile(this.file, "utf8")
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
    }
    if (text !== undefined) {
      const parsed = JSON.parse(text) as Partial<OwnershipFile>
      for (const clinic of parsed.clinics ?? []) this.#clinics.add(clinic)
      for (const [docId, clinicId] of Object.entries(parsed.owners ?? {}))
        if (!this.#owners.has(docId)) this.#owners.set(docId, clinicId)
    }
    return { clinics: [...this.#clinics], owners: Object.fromEntries(this.#owners) }
  }

  async save(clinics: readonly string[], claims: ReadonlyMap<string, string>): Promise<Map<string, string>> {
    for (const clinic of clinics) this.#clinics.add(clinic)
    const stored = new Map<string, string>()
    for (const [docId, clinicId] of claims) {
      if (!this.#owners.has(docId)) this.#owners.set(docId, clinicId)
      stored.set(docId, this.#owners.get(docId) ?? clinicId)
    }
    const body: OwnershipFile = { v: 1, clinics: [...this.#clinics], owners: Object.fromEntries(this.#owners) }
    const tmp = `${this.file}.tmp-${randomBytes(6).toString("hex")}`
    const fh = await fs.promises.open(tmp, "w")
    try {
      await fh.writeFile(JSON.stringify(body))
      await fh.sync()
    } finally {
      await fh.close()
    }
    await fs.promises.rename(tmp, this.file)
    return stored
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
