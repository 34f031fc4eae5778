// one home: @vetsync/shared/net
export { carriesOnly, checkAutomergeEntry, type AutomergeChunk, type ChunkCheck, type ChunkKind } from "@vetsync/shared/net"
