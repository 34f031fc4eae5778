import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { FileOwnershipStore } from "../src/FileOwnershipStore.js"
import { ownershipSuite } from "./ownershipSuite.js"

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

ownershipSuite("ownership.json", {
  shared: false,
  place: () => {
    const dir = mkdtempSync(join(tmpdir(), "vetsync-ownership-"))
    dirs.push(dir)
    const file = join(dir, "relay", "ownership.json")
    return Promise.resolve({ open: () => new FileOwnershipStore(file) })
  },
})
