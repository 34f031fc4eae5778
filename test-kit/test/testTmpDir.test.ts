import { existsSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { setup, teardown } from "../src/testRunTmp.globalSetup.js"
import { TEST_TMP_ENV, testTmpDir } from "../src/testTmpDir.js"

describe("testTmpDir", () => {
  const before = process.env[TEST_TMP_ENV]
  afterEach(() => {
    if (before === undefined) delete process.env[TEST_TMP_ENV]
    else process.env[TEST_TMP_ENV] = before
  })

  it("makes each directory under the run's root, which the run's end removes with everything in it", () => {
    // this run's own root (vite.config.ts): directories made here go when the run ends
    expect(before, "vitest runs the global setup").toBeDefined()
    expect(dirname(testTmpDir("probe"))).toBe(before)
    // a run of its own
    setup()
    const root = process.env[TEST_TMP_ENV]!
    expect(root).not.toBe(before)
    const a = testTmpDir("a")
    const b = testTmpDir("a")
    expect(a).not.toBe(b)
    expect(dirname(a)).toBe(root)
    teardown()
    expect(existsSync(a) || existsSync(root)).toBe(false)
  })

  it("makes it under the system's temporary directory outside a test run", () => {
    delete process.env[TEST_TMP_ENV]
    const dir = testTmpDir("outside")
    rmSync(dir, { recursive: true })
    expect(dirname(dir)).toBe(tmpdir())
  })
})
