import { fileURLToPath } from "node:url"
import { priceCommand } from "@vetsync/bridge"
import { Database } from "@vetsync/db"
import { registryCommand } from "@vetsync/sync-server"

/** The repository's `vetsync` command (cli/vetsync.mjs: TypeScript through tsx). */
export const VETSYNC_CLI = fileURLToPath(new URL("../cli/vetsync.mjs", import.meta.url))
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url))

/** The token line `vetsync desks add` prints last, or the credential `vetsync services add` prints last. */
const lastLine = (lines: string[], what: string): string => {
  const l = lines[lines.length - 1]?.trim()
  if (!l) throw new Error(`no ${what} in: ${lines.join(" | ")}`)
  return l
}

export interface Registered {
  /** one-time enrolment token per desk id */
  tokens: Map<string, string>
  bridgeCredential: string
  /** codes of the price-list items written to PostgreSQL */
  priceCodes: string[]
}

/** The chaos clinic's time zone (`vetsync clinics set --tz`): its desks put records in months of this zone. */
export const CHAOS_TIME_ZONE = "Europe/Moscow"

/** Price-list items (code, price in rubles, name) the chaos clinic sells. */
const PRICES: readonly (readonly [string, string, string])[] = [
  ["CH-EXAM", "1500.00", "Осмотр (хаос)"],
  ["CH-VAC", "2350.50", "Вакцинация (хаос)"],
  ["CH-FOOD", "799.99", "Корм 1 кг (хаос)"],
  ["CH-XRAY", "3200.00", "Рентген (хаос)"],
]

/**
 * Registers the clinic (its time zone too), the bridge's service credential, the desks (one-time tokens) and the
 * price list in the real registry, with the code `vetsync clinics|services|desks|price` runs
 * (in this process: a `vetsync` start costs seconds of TypeScript compilation per command).
 */
export const registerClinic = async (opts: {
  databaseUrl: string
  /** the CLI's VETSYNC_DATA_DIR (unused with a database URL) */
  dataDir: string
  clinicId: string
  deskIds: readonly string[]
}): Promise<Registered> => {
  const { clinicId } = opts
  const db = await Database.open({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl })
  try {
    await registryCommand("clinics", ["add", clinicId, "--name", "Chaos clinic"], db.pool)
    await registryCommand("clinics", ["set", clinicId, "--tz", CHAOS_TIME_ZONE], db.pool)
    const service = await registryCommand("services", ["add", "bridge"], db.pool)
    const tokens = new Map<string, string>()
    for (const id of opts.deskIds)
      tokens.set(id, lastLine(await registryCommand("desks", ["add", "--clinic", clinicId, "--desk-id", id], db.pool), `token of ${id}`))
    const env = { ...process.env, DATABASE_URL: opts.databaseUrl, VETSYNC_DATA_DIR: opts.dataDir }
    for (const [code, price, name] of PRICES) await priceCommand(["set", "--clinic", clinicId, "--code", code, "--price", price, "--name", name], env)
    return { tokens, bridgeCredential: lastLine(service, "bridge credential"), priceCodes: PRICES.map(p => p[0]) }
  } finally {
    await db.close()
  }
}
