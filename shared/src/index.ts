export * from "./schema/records.js"
export * from "./schema/money.js"
export * from "./schema/validate.js"
export * from "./schema/today.js"
export * from "./schema/zone.js"
export * from "./schema/requisites.js"
export * from "./schema/profile.js"
export * from "./docs/types.js"
export * from "./docs/layout.js"
export * from "./docs/genesis.js"
export * from "./docs/convert.js"
export * from "./docs/records.js"
export * from "./docs/build.js"
export { SafeFsStorageAdapter } from "./storage/SafeFsStorageAdapter.js"
export { GenesisFallbackStorage } from "./storage/GenesisFallbackStorage.js"
export { ConsistentLoadStorage } from "./storage/ConsistentLoadStorage.js"
export { ClosableStorageAdapter } from "./storage/ClosableStorageAdapter.js"
export * from "./docs/snapshot.js"
export * from "./seed/index.js"
export { guardProcess } from "./process/guardProcess.js"
export * from "./net/index.js"
export {
  enrolDesk,
  exchangeEnrolmentToken,
  loadDeskCredential,
  saveDeskCredential,
  CREDENTIAL_FILE,
  type DeskCredential,
  type EnrolmentAnswer,
} from "./enrolment.js"
export * from "./docs/bundle.js"
export { sameHeads } from "./docs/heads.js"
