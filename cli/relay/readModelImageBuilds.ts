import type { RelayServerOptions } from "@vetsync/sync-server"

/**
 * The read-model image builds of a relay this command starts: the desk's own bulk load
 * (@vetsync/client/read-model-image), in a child process per build; the servers' JavaScript build
 * (`npm run build`, the container image) holds it too. Where the desk's code is missing altogether
 * there is none: the relay answers 404 to `read-model` and new desks take the snapshot.
 */
export const readModelImageBuilds = async (): Promise<RelayServerOptions["readModelImages"]> => {
  let mod: typeof import("@vetsync/client/read-model-image")
  try {
    mod = await import("@vetsync/client/read-model-image")
  } catch (e) {
    const code = (e as { code?: string }).code
    // not there, or there only as TypeScript (the built servers run plain node)
    if (code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || code === "ERR_UNKNOWN_FILE_EXTENSION")
      return undefined
    throw e
  }
  const worker = new mod.ReadModelImageBuilder()
  return { build: worker.build, close: () => worker.close() }
}
