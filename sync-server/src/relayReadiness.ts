import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { Authenticator } from "./Authenticator.js"

export interface Readiness {
  ok: boolean
  /** what is not ready, in words an operator can act on */
  reasons: string[]
  /** each known clinic's snapshot: current, stale, building or none */
  snapshots: Record<string, string>
}

export interface ReadinessInput {
  closed: boolean
  dataDir: string
  auth: Authenticator
  clinics: string[]
  snapshotState: (clinicId: string) => string
}

/**
 * `GET /ready`: the relay can take desks. Its document directory takes a file, the registry
 * (PgAuthenticator) answers and is migrated, and no known clinic's snapshot is still unknown
 * ("none": never looked for since the start). `/health` only says the process is alive.
 */
export const relayReadiness = async (i: ReadinessInput): Promise<Readiness> => {
  const reasons: string[] = []
  if (i.closed) reasons.push("the relay is closing")
  const probe = path.join(i.dataDir, `.ready-${process.pid}`)
  try {
    await fs.writeFile(probe, "")
    await fs.rm(probe, { force: true })
  } catch (e) {
    reasons.push(`documents: ${i.dataDir} is not writable (${(e as Error).message})`)
  }
  const registry = (await i.auth.ready?.()) ?? { ok: true }
  if (!registry.ok) reasons.push(registry.reason)
  const snapshots = Object.fromEntries(i.clinics.map(c => [c, i.snapshotState(c)]))
  const unknown = Object.entries(snapshots).filter(([, s]) => s === "none")
  if (unknown.length > 0) reasons.push(`snapshots not looked at yet: ${unknown.map(([c]) => c).join(", ")}`)
  return { ok: reasons.length === 0, reasons, snapshots }
}
