/**
 * Everything of @vetsync/shared for Node code (desk core, relay, bridge, CLI). The subpaths
 * `@vetsync/shared/schema`, `/docs`, `/storage` and `/net` export one part each; the UI may
 * import only `/schema` (ESLint), so the browser bundle never pulls in Automerge or node:fs.
 */
export * from "./schema/index.js"
export * from "./docs/index.js"
export * from "./storage/index.js"
export * from "./staff/index.js"
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
