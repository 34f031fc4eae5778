import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto"
import { isPin } from "../schema/workingHours.js"

/** scrypt's cost: N = 2^14, r = 8, p = 1 takes some tens of milliseconds per check (16 MiB). */
export const PIN_SCRYPT = { N: 16384, r: 8, p: 1 } as const
const KEY_BYTES = 32
const SALT_BYTES = 16
/** The most a stored hash may ask for (2^17 × 8 × 128 B = 128 MiB); more is refused, not computed. */
const MAX_N = 131072

interface Cost {
  N: number
  r: number
  p: number
}

const derive = (pin: string, salt: Buffer, c: Cost): Promise<Buffer> => {
  const options: ScryptOptions = { ...c, maxmem: 256 * c.N * c.r + 1024 * 1024 }
  return new Promise((resolve, reject) =>
    scrypt(pin.normalize("NFC"), salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))),
  )
}

/**
 * The PIN's slow hash, with its parameters and salt in the string: `scrypt$N$r$p$salt$hash`
 * (salt and hash base64url). Refuses anything but 4 to 8 digits.
 */
export const hashPin = async (pin: string, opts: Cost = PIN_SCRYPT): Promise<string> => {
  if (!isPin(pin)) throw new Error("a PIN is 4 to 8 digits")
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(pin, salt, opts)
  return ["scrypt", opts.N, opts.r, opts.p, salt.toString("base64url"), key.toString("base64url")].join("$")
}

interface ParsedHash extends Cost {
  salt: Buffer
  key: Buffer
}

const parseHash = (stored: string): ParsedHash | null => {
  const m = /^scrypt\$(\d{1,7})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/.exec(stored)
  if (!m) return null
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null
  return { N, r, p, salt: Buffer.from(m[4] as string, "base64url"), key: Buffer.from(m[5] as string, "base64url") }
}

/** Whether a stored hash is one hashPin could have written (and verifyPin will compute). */
export const isPinHash = (stored: string): boolean => parseHash(stored) !== null

/** Whether `pin` is the PIN `stored` (hashPin's string) was made from; false for a malformed hash. */
export const verifyPin = async (pin: string, stored: string): Promise<boolean> => {
  const h = parseHash(stored)
  if (!h || !isPin(pin)) return false
  const key = await derive(pin, h.salt, { N: h.N, r: h.r, p: h.p })
  return key.length === h.key.length && timingSafeEqual(key, h.key)
}
