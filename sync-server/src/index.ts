export { RelayServer } from "./RelayServer.js"
export type { RelayServerOptions, RelayDocuments, RelayLeaseOptions } from "./relayServerOptions.js"
export { ClinicLeases, type ClinicLeasesOptions, type LeaseAnswer } from "@vetsync/db"
export { IndexedStorage, type ListableStorage } from "./IndexedStorage.js"
export type { Authenticator, Identity, Role } from "./Authenticator.js"
export { DevAuthenticator } from "./DevAuthenticator.js"
export { DocOwnership } from "./DocOwnership.js"
export { HardenedWebSocketServerAdapter, type HardenedAdapterOptions } from "@vetsync/shared/net"
export { SnapshotBuilder } from "./SnapshotBuilder.js"
export { peerIdMatchesIdentity, isRelayPeerId } from "@vetsync/shared/net"
export { parseClientFrame, encodeFrame, PROTOCOL_V1 } from "@vetsync/shared/net"
export { startRelayFromEnv, runRelayFromEnv } from "./startRelayFromEnv.js"
export type { EnrolResult, Revoked } from "./Authenticator.js"
export { DEFAULT_RATE_LIMIT, type RateLimit } from "@vetsync/shared/net"
export { TokenBucket } from "@vetsync/shared/net"
export { PgAuthenticator, type PgAuthenticatorOptions } from "./registry/PgAuthenticator.js"
export {
  clinicAdd,
  clinicList,
  deskAdd,
  deskList,
  deskRevoke,
  serviceAdd,
  serviceRevoke,
  enrol,
  checkDeskCode,
  DESK_CODE,
  identityOfCredential,
  type Queryable,
  type DeskRow,
  type DeskAdded,
  type Enrolled,
} from "./registry/commands.js"
export { parseToken, hashSecret, bearerOf } from "./registry/tokens.js"
export { clinicSet, clinicShow } from "./registry/clinicProfile.js"
export {
  parseRegistryCommand,
  registryCommand,
  runRegistryAction,
  REGISTRY_USAGE,
  type RegistryAction,
} from "./registry/registryCommand.js"
export { RELAY_ENV, relayConfigFromEnv, type RelayConfig } from "./relayConfig.js"
export { staffAdd, staffList, staffSet, staffLine, type NewStaff, type StaffPatch } from "./registry/staff.js"
export {
  parseStaffCommand,
  runStaffAction,
  staffCommand,
  STAFF_USAGE,
  type StaffAction,
} from "./registry/staffCommand.js"
export { deskStatusList, deskStatusTable, saveDeskReport, ONLINE_MS, type DeskStatus } from "./registry/deskStatus.js"
export type { OwnershipStore, OwnershipState } from "./OwnershipStore.js"
export { FileOwnershipStore } from "./FileOwnershipStore.js"
export { PgOwnershipStore } from "./PgOwnershipStore.js"
