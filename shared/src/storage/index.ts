/** `@vetsync/shared/storage`: the fsync'd storage adapter and the wrappers the desk and relay put around it. */
export { SafeFsStorageAdapter } from "./SafeFsStorageAdapter.js"
export { GenesisFallbackStorage } from "./GenesisFallbackStorage.js"
export { ConsistentLoadStorage } from "./ConsistentLoadStorage.js"
export { ClosableStorageAdapter } from "./ClosableStorageAdapter.js"
export { unloadFromRepo } from "./unloadFromRepo.js"
