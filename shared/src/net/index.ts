export { Backoff, type BackoffOptions } from "./Backoff.js"
export { ResilientWebSocketClientAdapter, type ResilientAdapterOptions } from "./ResilientWebSocketClientAdapter.js"
export type {
  ConnectionEvent,
  ConnectionState,
  DurableEvent,
  ResilientAdapterEvents,
  RetryEvent,
} from "./connectionEvents.js"
export { Watchdog } from "./Watchdog.js"
export { decodeRelayFrame, type RelayFrame } from "./relayFrames.js"
export { metricsAllowed } from "./metricsAllowed.js"
export { answerOperations, type OperationsEndpoints } from "./operationsRoutes.js"
export { APP_VERSION, DESK_REPORT, parseDeskReport, type DeskReport } from "./deskReport.js"
