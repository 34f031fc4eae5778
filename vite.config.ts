import { defineConfig } from "vitest/config"

/**
 * Three vitest projects, each with its own timeout; `npm test` runs them one after the other
 * (`npm run test:unit`, `test:integration`, `test:e2e` run one).
 *
 * - unit: pure logic in this process (records, schema, seeds, storage on a temporary
 *   directory, the read model's SQLite, the UI's plain modules): no child process, socket,
 *   relay, desk core or PostgreSQL. A test that takes more than 30 s is a hang.
 * - integration: everything else under the workspaces' test/ folders: real sockets, relays,
 *   desk cores, the embedded PostgreSQL, child processes, the chaos short run (its own
 *   timeout). A new test file lands here unless it is listed in UNIT.
 * - e2e: the Playwright browser tests in client/test/e2e (and test/e2e: the README's deployment
 *   walk-through, every part as its own process), one file at a time.
 */
const ALL = ["{shared,db,client,sync-server,bridge,test-kit,chaos}/test/**/*.test.ts", "test/**/*.test.ts"]
const E2E = ["client/test/e2e/**/*.test.ts", "test/e2e/**/*.test.ts"]
const UNIT = [
  "shared/test/{buildClinic,changeMessage,clinicCerts,conflicts,hasAllHeads,consistentLoad,dates,leanDoc,leanRead,payments,phone,profile,reconnectSchedule,relayRedirect,schema,sharePlans,slots,snapshotParts,staff,storage-adapters,unloadFromRepo,zone}.test.ts",
  "client/test/core/{clientSearch,duplicates,durableBatch,genesisFallback,readModel,readModelImage,readModelUpdater,recordHistory,snapshotApplier,snapshotBulkLoad,snapshotConflicts,snapshotStream,syncLedger,syncStateOf,views}.test.ts",
  "client/test/ui/{client,i18n,openingRows}.test.ts",
  "client/test/host/{commandList,deskConfig,dispatch,electronShell}.test.ts",
  "client/test/setup/relayAddress.test.ts",
  "client/test/lan/mdnsPeers.test.ts",
  "client/test/fiscal/{endOfDay,fiscalConfig,paymentReceipt,priceVat,receipt}.test.ts",
  "client/test/ui/forms/*.test.ts",
  "client/test/web/deskArgs.test.ts",
  "sync-server/test/{adminAccess,adminOverview,announceChanged,buildQueue,deskCode,honestTraffic,idleUnloaderFrees,leanHandles,ownershipFile,relayPolicyPeers,resyncKeys,serviceScope,updatePacer}.test.ts",
  "test-kit/test/{eventually,seed,seed-prng,testTmpDir}.test.ts",
  "chaos/test/{lanPeers,oracle,schedule}.test.ts",
  "bridge/test/{clinicRelays,clinicWork,planShare}.test.ts",
  "test/{backupManifest,benchStats,config,configDocs,registryArgs,relayRebuildArgs}.test.ts",
]

export default defineConfig({
  test: {
    // one temporary root per run, removed at its end (testTmpDir)
    globalSetup: ["test-kit/src/testRunTmp.globalSetup.ts"],
    // two cores: run test files two at a time (integration files start relays, desks, PostgreSQL)
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: UNIT, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ALL,
          exclude: [...UNIT, ...E2E, "**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: E2E,
          // a browser, a relay and desks per file: one file at a time
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
