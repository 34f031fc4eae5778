export { Backoff, type BackoffOptions } from "./Backoff.js"
export { failureKind, type AttemptEnd, type FailureKind } from "./failureKind.js"
export { ReconnectSchedule, type ReconnectScheduleOptions, type ScheduledRetry } from "./ReconnectSchedule.js"
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
export type { PeerIdentity, PeerRole } from "./peerIdentity.js"
export { HardenedWebSocketServerAdapter, type HardenedAdapterOptions } from "./HardenedWebSocketServerAdapter.js"
export { encodeFrame, parseClientFrame, PROTOCOL_V1, type DocFrame, type JoinFrame, type ParsedFrame } from "./clientFrames.js"
export { carriesOnly, checkAutomergeEntry, type AutomergeChunk, type ChunkCheck, type ChunkKind } from "./automergeChunks.js"
export { DEFAULT_RATE_LIMIT, type RateLimit } from "./rateLimit.js"
export { TokenBucket } from "./TokenBucket.js"
export { refusalKind } from "./refusalKind.js"
export { isRelayPeerId, peerIdMatchesIdentity } from "./peerIds.js"
export { fetchFollowingRelay, followableRedirect, MAX_RELAY_HOPS } from "./relayRedirect.js"
export {
  BRIDGE_LEASE_MS,
  BRIDGE_RECONNECT,
  BRIDGE_SHARE_ROUND_MS,
  DEAD_RELAY_FAST_FOR_MS,
  DEAD_RELAY_RETRY,
  DESK_RECONNECT,
  RELAY_LEASE_MAX_MS,
  RELAY_LEASE_MIN_MS,
  RELAY_LEASE_MS,
  RELAY_LEASE_RENEW_PARTS,
  relayLeaseRenewMs,
} from "./failoverTiming.js"
