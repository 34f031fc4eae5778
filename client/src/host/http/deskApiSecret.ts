import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { readFileSync } from "node:fs"
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"

/** the header every API call carries the secret in (the event stream may carry it as `?secret=`) */
export { DESK_SECRET_HEADER } from "./protocol.js"

/**
 * The desk API's per-start secret. The desk's own page gets it in its index.html (served only to
 * the desk's own Host, and unreadable to any other origin); local tools (the chaos harness, tests,
 * scripts) read it from `<dataDir>/desk-api.secret`, which only the desk's OS user can read:
 *
 *   const secret = readDeskApiSecret(dataDir)
 *   await fetch(`${deskUrl}/api/clients.search`, {
 *     method: "POST",
 *     headers: { "content-type": "application/json", [DESK_SECRET_HEADER]: secret },
 *     body: JSON.stringify({ query: "Иванов" }),
 *   })
 */
export const DESK_API_SECRET_FILE = "desk-api.secret"

/** The secret of the desk running on `dataDir` now (it changes at every start). */
export const readDeskApiSecret = (dataDir: string): string => readFileSync(join(dataDir, DESK_API_SECRET_FILE), "utf8").trim()

/** 256 random bits, URL-safe. */
export const newDeskApiSecret = (): string => randomBytes(32).toString("base64url")

/** Writes the secret for local tools: mode 0600, replaced whole (a reader never sees half of it). */
export const writeDeskApiSecret = async (dataDir: string, secret: string): Promise<void> => {
  const tmp = join(dataDir, `.${DESK_API_SECRET_FILE}.${process.pid}.tmp`)
  await writeFile(tmp, `${secret}\n`, { mode: 0o600 })
  await chmod(tmp, 0o600)
  await rename(tmp, join(dataDir, DESK_API_SECRET_FILE))
}

/** Removes the file at close if it still holds this start's secret. */
export const removeDeskApiSecret = async (dataDir: string, secret: string): Promise<void> => {
  const path = join(dataDir, DESK_API_SECRET_FILE)
  const kept = await readFile(path, "utf8").catch(() => "")
  if (kept.trim() === secret) await rm(path, { force: true })
}

const digest = (s: string): Buffer => createHash("sha256").update(s).digest()

/** Constant-time comparison of a presented secret with the desk's. */
export const secretMatches = (presented: string | undefined, secret: string): boolean =>
  presented !== undefined && timingSafeEqual(digest(presented), digest(secret))
