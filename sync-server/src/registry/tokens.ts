import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/** Kinds of secret the registry hands out, as the prefix of the token. */
export type TokenKind = "enrol" | "desk" | "service"

const PREFIX: Record<TokenKind, string> = { enrol: "vse1", desk: "vsd1", service: "vss1" }

/** Desk ids, service names and clinic ids: what DevAuthenticator and peer ids accept. */
export const NAME = /^[A-Za-z0-9_-]{1,64}$/

/** The largest token we parse; anything longer is refused before hashing. */
const MAX_TOKEN = 200

export interface ParsedToken {
  kind: TokenKind
  /** the desk id, or the service name */
  id: string
  secret: string
}

/**
 * A new token `<prefix>.<id>.<secret>` with 256 random bits of secret (base64url).
 * The id in the token only finds the row; the secret is what is checked.
 */
export const newToken = (kind: TokenKind, id: string): { token: string; hash: Buffer } => {
  if (!NAME.test(id)) throw new Error(`invalid id ${JSON.stringify(id)}: use 1-64 of A-Z a-z 0-9 _ -`)
  const secret = randomBytes(32).toString("base64url")
  return { token: `${PREFIX[kind]}.${id}.${secret}`, hash: hashSecret(secret) }
}

/**
 * SHA-256 of the secret. A slow password hash (argon2, bcrypt) protects low-entropy
 * human passwords against offline guessing; these secrets are 256 random bits, so a
 * single fast hash is already infeasible to invert, and a stolen table reveals nothing
 * usable. Fast hashing also keeps every WebSocket upgrade cheap for the relay.
 */
export const hashSecret = (secret: string): Buffer => createHash("sha256").update(secret, "utf8").digest()

export const parseToken = (token: string): ParsedToken | null => {
  if (token.length > MAX_TOKEN) return null
  const parts = token.split(".")
  if (parts.length !== 3) return null
  const [prefix, id, secret] = parts as [string, string, string]
  const kind = (Object.keys(PREFIX) as TokenKind[]).find(k => PREFIX[k] === prefix)
  if (!kind || !NAME.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return null
  return { kind, id, secret }
}

/** Constant-time comparison of a presented secret with a stored hash. */
export const secretMatches = (secret: string, stored: Buffer | null | undefined): boolean => {
  if (!stored || stored.length !== 32) return false
  return timingSafeEqual(hashSecret(secret), stored)
}

/** The bearer token of an `Authorization: Bearer <token>` header, if any. */
export const bearerOf = (header: string | string[] | undefined): string | undefined => {
  const h = Array.isArray(header) ? header[0] : header
  if (typeof h !== "string") return undefined
  return /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1]
}
