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
export type { PeerIdentity, PeerRole } from "./peerIdentity.js"
export { HardenedWebSocketServerAdapter, type HardenedAdapterOptions } from "./HardenedWebSocketServerAdapter.js"
export { encodeFrame, parseClientFrame, PROTOCOL_V1, type DocFrame, type JoinFrame, type ParsedFrame } from "./clientFrames.js"
export { carriesOnly, checkAutomergeEntry, type AutomergeChunk, type ChunkCheck, type ChunkKind } from "./automergeChunks.js"
export { DEFAULT_RATE_LIMIT, type RateLimit } from "./rateLimit.js"
export { TokenBucket } from "./TokenBucket.js"
export { refusalKind } from "./refusalKind.js"
export { isRelayPeerId, peerIdMatchesIdentity } from "./peerIds.js"
