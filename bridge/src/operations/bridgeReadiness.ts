import { loadMigrations, type Migration } from "@vetsync/db"
import type pg from "pg"
import { appliedMigrations } from "../queries/operations.js"
import { withTimeout } from "./withTimeout.js"

export interface BridgeReadiness {
  ok: boolean
  /** what is not ready, in words an operator can act on */
  reasons: string[]
  /** each followed clinic: were its documents looked at since the start */
  clinics: Record<string, "looked at" | "not yet">
  /** the relay connection: open, connecting, closed, or none configured */
  relay: string
}

export interface BridgeReadinessInput {
  /** starting until the bridge has started and followed its clinics; stopping from stop() */
  phase: "starting" | "running" | "stopping"
  /** the bridge's pool, once it has one */
  pool: pg.Pool | undefined
  /** the LISTEN connection is open */
  listening: boolean
  /** the relay connections (the worst of them; idle: no clinic followed), when a relay is configured */
  relay: { url: string; state: string; lastError?: string; refused?: string } | undefined
  clinics: string[]
  notLookedAt: string[]
}

let known: Promise<Migration[]> | undefined

/** "" when PostgreSQL answers (within 2 s) with every known migration applied; else why not. */
const postgresProblem = async (pool: pg.Pool): Promise<string> => {
  try {
    known ??= loadMigrations()
    const [migrations, applied] = await Promise.all([known, withTimeout(appliedMigrations(pool), 2_000)])
    const missing = migrations.filter(m => !applied.has(m.version)).map(m => m.name)
    return missing.length > 0 ? `PostgreSQL: migrations not applied: ${missing.join(", ")}` : ""
  } catch (e) {
    return `PostgreSQL: ${(e as Error).message}`
  }
}

/**
 * `GET /ready`: the bridge is doing its work. PostgreSQL answers and holds every migration this
 * bridge knows, its LISTEN connection is open, the relay answered its join (when one is configured),
 * and every followed clinic's documents were looked at (opened, and each projected once) since the
 * start. `/health` only says the process is alive.
 */
export const bridgeReadiness = async (i: BridgeReadinessInput): Promise<BridgeReadiness> => {
  const reasons: string[] = []
  if (i.phase !== "running") reasons.push(`the bridge is ${i.phase}`)
  if (i.pool) {
    const problem = await postgresProblem(i.pool)
    if (problem) reasons.push(problem)
    if (!i.listening) reasons.push("PostgreSQL: the LISTEN connection is lost (reconnecting)")
  }
  if (i.relay && i.relay.state !== "open" && i.relay.state !== "idle") {
    const why = i.relay.refused ?? i.relay.lastError
    reasons.push(`relay: ${i.relay.state}, not joined to ${i.relay.url}${why ? ` (${why})` : ""}`)
  }
  if (i.notLookedAt.length > 0) reasons.push(`documents not looked at yet: ${i.notLookedAt.join(", ")}`)
  const pending = new Set(i.notLookedAt)
  return {
    ok: reasons.length === 0,
    reasons,
    clinics: Object.fromEntries(i.clinics.map(c => [c, pending.has(c) ? "not yet" : "looked at"])),
    relay: i.relay?.state ?? "none",
  }
}
