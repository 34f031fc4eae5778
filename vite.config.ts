import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["{shared,client,sync-server,bridge,test-kit,chaos}/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // integration tests start relays, desks, PostgreSQL and a browser: two cores, so run files two at a time
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    fileParallelism: true,
  },
})
