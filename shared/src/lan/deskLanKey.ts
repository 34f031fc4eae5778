import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

/** The desk's own LAN private key (PKCS#8 PEM, owner-only) in its data directory; it never leaves the desk. */
export const LAN_KEY_FILE = "lan-key.pem"

export interface DeskLanKey {
  privateKeyPem: string
  publicKeyPem: string
}

/** The desk's own key pair (P-256): the private key (PKCS#8 PEM) never leaves the desk. */
export const generateDeskKeys = (): { publicKeyPem: string; privateKeyPem: string } => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  })
  return { publicKeyPem: publicKey, privateKeyPem: privateKey }
}

/** The desk's LAN key pair from `<dataDir>/lan-key.pem`, made (P-256) and stored on first use. */
export const loadOrCreateDeskLanKey = (dataDir: string): DeskLanKey => {
  const file = path.join(dataDir, LAN_KEY_FILE)
  try {
    const privateKeyPem = fs.readFileSync(file, "utf8")
    const publicKeyPem = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" }).toString()
    return { privateKeyPem, publicKeyPem }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
  }
  const keys = generateDeskKeys()
  fs.mkdirSync(dataDir, { recursive: true })
  const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`
  const fd = fs.openSync(tmp, "w", 0o600)
  try {
    fs.writeFileSync(fd, keys.privateKeyPem)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
  return keys
}
