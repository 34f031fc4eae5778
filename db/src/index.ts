export { Database } from "./Database.js"
export { EmbeddedPg, type EmbeddedPgOptions } from "./EmbeddedPg.js"
export { PgListener, type PgListenerOptions } from "./PgListener.js"
export { migrate, loadMigrations, MIGRATIONS_DIR, type Migration } from "./migrate.js"
export { dumpSchema } from "./schemaDump.js"
export { commandDatabase } from "./commandDatabase.js"
export { PostgresStorageAdapter, joinStorageKey, likePrefix } from "./PostgresStorageAdapter.js"
export { ClinicLeases, type ClinicLeasesOptions, type LeaseAnswer, type LeaseLog } from "./leases/ClinicLeases.js"
export {
  leaseOf,
  liveLeases,
  renewMembership,
  leaveMembership,
  type LeaseRole,
  type LeaseRow,
} from "./leases/leaseQueries.js"
