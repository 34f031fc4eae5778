import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The environment variable naming the test run's temporary root (testRunTmp.globalSetup.ts sets it). */
export const TEST_TMP_ENV = "VETSYNC_TEST_TMP"

/**
 * A new directory for a test: under the test run's temporary root, which is removed when the run
 * ends, or (outside vitest, or before the run set one up) under the system's.
 */
export const testTmpDir = (name: string): string =>
  mkdtempSync(join(process.env[TEST_TMP_ENV] ?? tmpdir(), `vetsync-${name}-`))
