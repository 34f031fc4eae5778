import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TEST_TMP_ENV } from "./testTmpDir.js"

/**
 * vitest's global setup (vite.config.ts): one temporary root for the run, inherited by the test
 * processes through the environment (testTmpDir makes directories in it), and removed when the run
 * ends. Tests that keep what they wrote as a failing run's evidence (the chaos run) make their own.
 */
let root: string | undefined

export const setup = (): void => {
  root = mkdtempSync(join(tmpdir(), "vetsync-tests-"))
  process.env[TEST_TMP_ENV] = root
}

export const teardown = (): void => {
  if (root) rmSync(root, { recursive: true, force: true })
}
