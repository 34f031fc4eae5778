/** Staff for Node code: PIN hashing (node:crypto). The plain staff types and checks are in /schema. */
export { hashPin, verifyPin, isPinHash, PIN_SCRYPT } from "./pinHash.js"
