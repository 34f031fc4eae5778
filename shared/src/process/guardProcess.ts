import { rootLogger } from "../log/logger.js"

/**
 * For the entry points of long-running processes (desk, relay, bridge), called explicitly, never
 * on import. automerge-repo 2.5.6 starts some promises it never awaits (DocSynchronizer.beginSync
 * waits up to 60 s for a document that may never arrive and then rejects); Node would end the
 * process on such an unhandled rejection, and with it a desk holding staff's work. They are logged
 * instead. Uncaught exceptions still end the process: its state can no longer be trusted.
 */
export const guardProcess = (name: string, log: (line: string) => void = line => rootLogger().error(line)): void => {
  process.on("unhandledRejection", reason => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)
    log(`[${name}] unhandled rejection (kept running): ${text}`)
  })
}
