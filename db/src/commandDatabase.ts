import { resolve } from "node:path"
import { Database } from "./Database.js"

/**
 * The database the command-line tools use (`vetsync clinics|desks|services`, `price`, `import`):
 * DATABASE_URL, else the bridge's embedded one (and they say which). Migrated, like every opening.
 */
export const commandDatabase = (
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = line => console.error(line),
): Promise<Database> => {
  const dataDir = resolve(env.VETSYNC_DATA_DIR || "data/bridge")
  if (!env.DATABASE_URL)
    say(
      `no DATABASE_URL: using the embedded PostgreSQL in ${dataDir}/pg (set VETSYNC_DATA_DIR to the bridge's data directory, or DATABASE_URL)`,
    )
  return Database.open({ dataDir, databaseUrl: env.DATABASE_URL || undefined })
}
