import { afterAll, beforeAll } from "vitest"
import { TestDatabase, type TestDatabaseOptions } from "./TestDatabase.js"

export { TestDatabase, type TestDatabaseOptions } from "./TestDatabase.js"

/**
 * A TestDatabase for the calling test file (or describe block): started in its beforeAll, stopped
 * in its afterAll. Registers the hooks when called, never on import.
 */
export const useTestDatabase = (options: TestDatabaseOptions = {}): TestDatabase => {
  const db = new TestDatabase(options)
  beforeAll(async () => {
    await db.start()
  }, 120_000)
  afterAll(() => db.stop(), 60_000)
  return db
}
